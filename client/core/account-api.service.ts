import type { IHttpService, IPromise } from 'angular';
import type {
  AccountSummary,
  ActivityEvent,
  ExistingRecoveryCodes,
  NewRecoveryCodes,
  RecoveryCodeUsed,
  RememberedBrowser,
  SessionInfo,
} from '../../common/account-api';
import type { Channel, PhoneNumber } from './api.service';

/** The account's JSON API (/api/account/…): the account page, /protected's first recovery codes, and /2fa. */
export class AccountApiService {
  static $inject = ['$http'];

  constructor(private readonly $http: IHttpService) {}

  summary(): IPromise<AccountSummary> {
    return this.get<AccountSummary>('');
  }

  changePassword(currentPassword: string, newPassword: string): IPromise<{ sessionsEnded: number; browsersForgotten: number }> {
    return this.post('/password', { current_password: currentPassword, new_password: newPassword });
  }

  startPhoneChange(phone: PhoneNumber, via: Channel): IPromise<{ message: string }> {
    return this.post('/phone/start', { ...phone, via });
  }

  finishPhoneChange(token: string): IPromise<{ phone: string }> {
    return this.post('/phone/verify', { token });
  }

  resetAuthenticator(): IPromise<void> {
    return this.post<unknown>('/authenticator/reset').then(() => undefined);
  }

  /** The first recovery codes (shown once), or null when they were made before. */
  firstRecoveryCodes(): IPromise<NewRecoveryCodes | ExistingRecoveryCodes> {
    return this.post('/recovery-codes/first');
  }

  newRecoveryCodes(): IPromise<string[]> {
    return this.post<NewRecoveryCodes>('/recovery-codes').then((body) => body.codes);
  }

  /** A recovery code in place of the second factor: how many are left. */
  useRecoveryCode(code: string): IPromise<number> {
    return this.post<RecoveryCodeUsed>('/recovery-codes/use', { code }).then((body) => body.remaining);
  }

  browsers(): IPromise<RememberedBrowser[]> {
    return this.get<{ browsers: RememberedBrowser[] }>('/browsers').then((body) => body.browsers);
  }

  rememberBrowser(): IPromise<void> {
    return this.post<unknown>('/browsers').then(() => undefined);
  }

  forgetBrowser(id: string): IPromise<void> {
    return this.$http.delete(`/api/account/browsers/${encodeURIComponent(id)}`).then(() => undefined);
  }

  forgetAllBrowsers(): IPromise<number> {
    return this.$http.delete<{ forgotten: number }>('/api/account/browsers').then((res) => res.data.forgotten);
  }

  sessions(): IPromise<SessionInfo[]> {
    return this.get<{ sessions: SessionInfo[] }>('/sessions').then((body) => body.sessions);
  }

  endSession(id: string): IPromise<void> {
    return this.$http.delete(`/api/account/sessions/${encodeURIComponent(id)}`).then(() => undefined);
  }

  endOtherSessions(): IPromise<{ sessionsEnded: number; browsersForgotten: number }> {
    return this.post('/sessions/end-others');
  }

  activity(): IPromise<ActivityEvent[]> {
    return this.get<{ events: ActivityEvent[] }>('/activity').then((body) => body.events);
  }

  private get<T>(path: string): IPromise<T> {
    return this.$http.get<T>(`/api/account${path}`).then((res) => res.data);
  }

  private post<T>(path: string, body: object = {}): IPromise<T> {
    return this.$http.post<T>(`/api/account${path}`, body).then((res) => res.data);
  }
}
