import type { IHttpResponse, IHttpService, IPromise } from 'angular';
import type {
  ApiError,
  Channel,
  CodeSent,
  Done,
  LoggedIn,
  LoginAnswer,
  LoginRequest,
  NextUrl,
  PasskeyAnswer,
  PasskeyAssertion,
  PasskeyAvailability,
  PasskeyCreationOptions,
  PasskeyList,
  PasskeyRegistration,
  PasskeyRenameRequest,
  PasskeyRequestOptions,
  PasskeySummary,
  PasswordForgotAnswer,
  PasswordForgotRequest,
  PasswordResetRequest,
  PhoneNumber,
  ProtectedContent,
  PushAnswer,
  RegistrationRequest,
  SoftTokenEnrolment,
  SoftTokenState,
  TokenRequest,
  VerificationCheckRequest,
  VerificationStarted,
  VerificationStartRequest,
} from '../../common/api';
import type { ApprovalStatus } from '../../common/approval-status';
import { waitText } from '../../common/wait-text';

// The types the pages use, from the one API contract the server is typed against too.
export type { Channel, CodeSent, NextUrl, PhoneNumber, ProtectedContent, SoftTokenEnrolment } from '../../common/api';
export type { RegistrationRequest as Registration } from '../../common/api';

/** The JSON API of the server (common/api.ts); components never use $http directly. */
export class ApiService {
  static $inject = ['$http'];

  constructor(private readonly $http: IHttpService) {}

  register(user: RegistrationRequest): IPromise<Done> {
    return this.post<Done, RegistrationRequest>('/api/user/register', user);
  }

  /** The password; `url` is /protected when this browser was remembered and no second factor is needed. */
  login(username: string, password: string): IPromise<LoginAnswer> {
    return this.post<LoginAnswer, LoginRequest>('/api/login', { username, password });
  }

  /** "Forgot password?": the same answer whether or not an account has the address. */
  forgotPassword(email: string): IPromise<PasswordForgotAnswer> {
    return this.post<PasswordForgotAnswer, PasswordForgotRequest>('/api/password/forgot', { email });
  }

  /** The new password, through the emailed link's token. */
  resetPassword(token: string, password: string): IPromise<Done> {
    return this.post<Done, PasswordResetRequest>('/api/password/reset', { token, password });
  }

  logout(): IPromise<Done> {
    return this.post<Done>('/api/logout');
  }

  /** Where the session may go: `/protected`, `/2fa` or `/login`. */
  loggedIn(): IPromise<NextUrl> {
    return this.loginState().then((body) => body.url);
  }

  /** Where the session may go, and who is signed in (none for a visitor). */
  loginState(): IPromise<LoggedIn> {
    return this.post<LoggedIn>('/api/loggedIn');
  }

  requestSms(): IPromise<CodeSent> {
    return this.post<CodeSent>('/api/accountsecurity/sms');
  }

  requestCall(): IPromise<CodeSent> {
    return this.post<CodeSent>('/api/accountsecurity/voice');
  }

  verifyToken(token: string): IPromise<Done> {
    return this.post<Done, TokenRequest>('/api/accountsecurity/verify', { token });
  }

  /**
   * The soft token waiting for its first code, to a session that may set it up (the one that
   * registered, or one with a fresh second factor), or null. After 2FA without a fresh check: a
   * 403 with `field: "recheck"`.
   */
  softTokenEnrolment(): IPromise<SoftTokenEnrolment | null> {
    return this.get<SoftTokenState>('/api/accountsecurity/softtoken').then((body) => body.enrol);
  }

  /** Sets up the authenticator app after 2FA, with its first code (it needs a fresh second factor). */
  enrolSoftToken(token: string): IPromise<Done> {
    return this.post<Done, TokenRequest>('/api/accountsecurity/softtoken', { token });
  }

  /** Sends a push request (the original's `/onetouch`). */
  createPush(): IPromise<PushAnswer> {
    return this.post<PushAnswer>('/api/accountsecurity/onetouch');
  }

  /** The push request's status; `abort` (optional) resolving aborts the request ($http's `timeout`). */
  pushStatus(abort?: IPromise<void>): IPromise<ApprovalStatus> {
    return this.$http
      .post<PushAnswer>('/api/accountsecurity/onetouchstatus', {}, { timeout: abort })
      .then((res) => res.data.approval_request.status ?? 'pending');
  }

  startVerification(phone: PhoneNumber, via: Channel): IPromise<VerificationStarted> {
    return this.post<VerificationStarted, VerificationStartRequest>('/api/verification/start', { ...phone, via });
  }

  checkVerification(phone: PhoneNumber, token: string): IPromise<Done> {
    return this.post<Done, VerificationCheckRequest>('/api/verification/verify', { ...phone, token });
  }

  getProtected(): IPromise<ProtectedContent> {
    return this.get<ProtectedContent>('/api/protected');
  }

  listPasskeys(): IPromise<PasskeyList> {
    return this.get<PasskeyList>('/api/passkeys');
  }

  /** Whether the logged-in person has a passkey (for /2fa's "Use a passkey"). */
  hasPasskey(): IPromise<boolean> {
    return this.get<PasskeyAvailability>('/api/passkeys/available').then((body) => body.available);
  }

  passkeyRegistrationOptions(): IPromise<PasskeyCreationOptions> {
    return this.post<PasskeyCreationOptions>('/api/passkeys/registration/options');
  }

  registerPasskey(response: PasskeyRegistration): IPromise<PasskeySummary> {
    return this.post<PasskeyAnswer, PasskeyRegistration>('/api/passkeys/registration', response).then((body) => body.passkey);
  }

  renamePasskey(id: string, name: string): IPromise<PasskeySummary> {
    const body: PasskeyRenameRequest = { name };
    return this.$http.patch<PasskeyAnswer>(`/api/passkeys/${encodeURIComponent(id)}`, body).then((res) => res.data.passkey);
  }

  removePasskey(id: string): IPromise<void> {
    return this.$http.delete<Done>(`/api/passkeys/${encodeURIComponent(id)}`).then(() => undefined);
  }

  /** Options for a passkey as the second factor (or a fresh check after it). */
  passkeyCheckOptions(): IPromise<PasskeyRequestOptions> {
    return this.post<PasskeyRequestOptions>('/api/passkeys/authentication/options');
  }

  verifyPasskey(response: PasskeyAssertion): IPromise<Done> {
    return this.post<Done, PasskeyAssertion>('/api/passkeys/authentication', response);
  }

  passkeySignInOptions(): IPromise<PasskeyRequestOptions> {
    return this.post<PasskeyRequestOptions>('/api/passkeys/sign-in/options');
  }

  signInWithPasskey(response: PasskeyAssertion): IPromise<Done> {
    return this.post<Done, PasskeyAssertion>('/api/passkeys/sign-in', response);
  }

  private get<Answer>(url: string): IPromise<Answer> {
    return this.$http.get<Answer>(url).then((res) => res.data);
  }

  /** A POST with the request body the route takes (`Body`, none by default), answering `Answer`. */
  private post<Answer, Body extends object = Record<string, never>>(url: string, body?: Body): IPromise<Answer> {
    return this.$http.post<Answer>(url, body ?? {}).then((res) => res.data);
  }
}

function isHttpResponse(value: unknown): value is IHttpResponse<unknown> {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;
}

function bodyOf(response: IHttpResponse<unknown>): Partial<ApiError> {
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
