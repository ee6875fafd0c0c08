import type { IHttpResponse, IHttpService, IPromise } from 'angular';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type { ApprovalStatus } from '../../common/approval-status';
import type { PasskeyList, PasskeySummary } from '../../common/passkey-info';
import { waitText } from '../../common/wait-text';

/** Every error body of the API: a sentence, and the field a 400 is about. */
export interface ApiErrorBody {
  error: string;
  field?: string;
}

export type NextUrl = '/protected' | '/2fa' | '/login';

/** POST /api/loggedIn: where the session belongs, and who is signed in (none for a visitor). */
export interface LoginState {
  url: NextUrl;
  username?: string;
}

export interface Registration {
  username: string;
  email: string;
  password: string;
  country_code: string;
  phone_number: string;
}

export interface CodeSent {
  success: boolean;
  message: string;
  /** The masked phone number, e.g. "+1-XXX-XXX-1234". */
  cellphone?: string;
}

export interface ApprovalResponse {
  success: boolean;
  approval_request: { uuid: string; status?: ApprovalStatus };
}

/** A soft token waiting for its first code: its QR code (a data: URL) and otpauth:// URI. */
export interface SoftTokenEnrolment {
  qr_code: string;
  otpauth_url: string;
}

export interface PhoneNumber {
  country_code: string;
  phone_number: string;
}

export type Channel = 'sms' | 'call';

export interface VerificationStarted {
  success: boolean;
  message: string;
}

export interface ProtectedContent {
  message?: string;
  username?: string;
}

/** The JSON API of the server; components never use $http directly. */
export class ApiService {
  static $inject = ['$http'];

  constructor(private readonly $http: IHttpService) {}

  register(user: Registration): IPromise<void> {
    return this.post<void>('/api/user/register', user);
  }

  login(username: string, password: string): IPromise<void> {
    return this.post<void>('/api/login', { username, password });
  }

  logout(): IPromise<void> {
    return this.post<void>('/api/logout');
  }

  /** Where the session may go: `/protected`, `/2fa` or `/login`. */
  loggedIn(): IPromise<NextUrl> {
    return this.loginState().then((body) => body.url);
  }

  loginState(): IPromise<LoginState> {
    return this.post<LoginState>('/api/loggedIn');
  }

  requestSms(): IPromise<CodeSent> {
    return this.post<CodeSent>('/api/accountsecurity/sms');
  }

  requestCall(): IPromise<CodeSent> {
    return this.post<CodeSent>('/api/accountsecurity/voice');
  }

  verifyToken(token: string): IPromise<{ success: boolean }> {
    return this.post('/api/accountsecurity/verify', { token });
  }

  /**
   * The soft token waiting for its first code, to a session that may set it up (the one that
   * registered, or one with a fresh second factor), or null. After 2FA without a fresh check: a
   * 403 with `field: "recheck"`.
   */
  softTokenEnrolment(): IPromise<SoftTokenEnrolment | null> {
    return this.$http.get<{ enrol: SoftTokenEnrolment | null }>('/api/accountsecurity/softtoken').then((res) => res.data.enrol);
  }

  /** Sets up the authenticator app after 2FA, with its first code (it needs a fresh second factor). */
  enrolSoftToken(token: string): IPromise<{ success: boolean }> {
    return this.post('/api/accountsecurity/softtoken', { token });
  }

  createOneTouch(): IPromise<ApprovalResponse> {
    return this.post<ApprovalResponse>('/api/accountsecurity/onetouch');
  }

  oneTouchStatus(): IPromise<ApprovalStatus> {
    return this.post<ApprovalResponse>('/api/accountsecurity/onetouchstatus').then((body) => body.approval_request.status ?? 'pending');
  }

  startVerification(phone: PhoneNumber, via: Channel): IPromise<VerificationStarted> {
    return this.post<VerificationStarted>('/api/verification/start', { ...phone, via });
  }

  checkVerification(phone: PhoneNumber, token: string): IPromise<{ success: boolean }> {
    return this.post('/api/verification/verify', { ...phone, token });
  }

  getProtected(): IPromise<ProtectedContent> {
    return this.$http.get<ProtectedContent>('/api/protected').then((res) => res.data);
  }

  listPasskeys(): IPromise<PasskeyList> {
    return this.$http.get<PasskeyList>('/api/passkeys').then((res) => res.data);
  }

  /** Whether the logged-in person has a passkey (for /2fa's "Use a passkey"). */
  hasPasskey(): IPromise<boolean> {
    return this.$http.get<{ available: boolean }>('/api/passkeys/available').then((res) => res.data.available);
  }

  passkeyRegistrationOptions(): IPromise<PublicKeyCredentialCreationOptionsJSON> {
    return this.post('/api/passkeys/registration/options');
  }

  registerPasskey(response: RegistrationResponseJSON): IPromise<PasskeySummary> {
    return this.post<{ passkey: PasskeySummary }>('/api/passkeys/registration', response).then((body) => body.passkey);
  }

  renamePasskey(id: string, name: string): IPromise<PasskeySummary> {
    return this.$http
      .patch<{ passkey: PasskeySummary }>(`/api/passkeys/${encodeURIComponent(id)}`, { name })
      .then((res) => res.data.passkey);
  }

  removePasskey(id: string): IPromise<void> {
    return this.$http.delete(`/api/passkeys/${encodeURIComponent(id)}`).then(() => undefined);
  }

  /** Options for a passkey as the second factor (or a fresh check after it). */
  passkeyCheckOptions(): IPromise<PublicKeyCredentialRequestOptionsJSON> {
    return this.post('/api/passkeys/authentication/options');
  }

  verifyPasskey(response: AuthenticationResponseJSON): IPromise<{ success: boolean }> {
    return this.post('/api/passkeys/authentication', response);
  }

  passkeySignInOptions(): IPromise<PublicKeyCredentialRequestOptionsJSON> {
    return this.post('/api/passkeys/sign-in/options');
  }

  signInWithPasskey(response: AuthenticationResponseJSON): IPromise<{ success: boolean }> {
    return this.post('/api/passkeys/sign-in', response);
  }

  private post<T>(url: string, body: object = {}): IPromise<T> {
    return this.$http.post<T>(url, body).then((res) => res.data);
  }
}

function isHttpResponse(value: unknown): value is IHttpResponse<unknown> {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;
}

function bodyOf(response: IHttpResponse<unknown>): Partial<ApiErrorBody> {
  const data = response.data;
  return typeof data === 'object' && data !== null ? data : {};
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(1, Math.ceil((date - now) / 1000));
}

/** A sentence for the user from an $http rejection (or any other error). */
export function errorMessage(rejection: unknown): string {
  if (!isHttpResponse(rejection)) {
    return rejection instanceof Error ? rejection.message : 'Something went wrong. Please try again.';
  }
  // AngularJS reports network failures, timeouts and aborts as status -1 (older versions: 0).
  if (rejection.status <= 0) return 'The server cannot be reached. Check your connection and try again.';
  const said = bodyOf(rejection).error;
  // The app's own 429 says what was limited and for how long: it is shown as it is, once.
  if (rejection.status === 429 && !said) {
    const seconds = retryAfterSeconds(rejection.headers('Retry-After'));
    return seconds === null ? 'Too many attempts. Please wait, then try again.' : `Too many attempts. Try again in ${waitText(seconds)}.`;
  }
  if (said) return said;
  if (rejection.status >= 500) return `The server had a problem (HTTP ${rejection.status}). Please try again later.`;
  return `The request failed (HTTP ${rejection.status}).`;
}

/** The form field a 400 names, if any. */
export function errorField(rejection: unknown): string | undefined {
  return isHttpResponse(rejection) ? bodyOf(rejection).field : undefined;
}
