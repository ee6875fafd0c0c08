// The JSON API between the SPA and the server: every request body and every answer, named once
// (the account page's, /api/account/…, are in account-api.ts).
// The server's handlers answer with these types and read request fields by these names; the
// SPA's ApiService sends and reads the same, so a renamed field fails the type check on both
// sides. The paths and field names are the original quickstart's (`approval_request.uuid`,
// `/api/accountsecurity/onetouch`, …), whichever 2FA provider is behind them.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type { ApprovalStatus } from './approval-status';
import type { PasskeySummary } from './passkey-info';

export type { PasskeyList, PasskeySummary } from './passkey-info';
export type { SiteInfo } from './site-info';

/** Every error answer: a sentence, and the field it is about (a 400's, or "recheck" on a 403). */
export interface ApiError {
  error: string;
  field?: string;
}

/** The answer of an action that has nothing else to say. */
export interface Done {
  success: true;
}

// ---- registration, login, logout ------------------------------------------------------------

export interface PhoneNumber {
  country_code: string;
  phone_number: string;
}

/** POST /api/user/register */
export interface RegistrationRequest extends PhoneNumber {
  username: string;
  email: string;
  password: string;
}

/** POST /api/login */
export interface LoginRequest {
  username: string;
  password: string;
}

/** Where a visitor belongs, by the stage of its login. */
export type NextUrl = '/protected' | '/2fa' | '/login';

/** POST /api/login's answer: `url` is /protected when this browser was remembered and no second factor is needed. */
export interface LoginAnswer extends Done {
  url?: NextUrl;
}

/** POST /api/password/forgot */
export interface PasswordForgotRequest {
  email: string;
}

/** POST /api/password/forgot's answer: the same whether or not an account has that email. */
export interface PasswordForgotAnswer extends Done {
  message: string;
}

/** POST /api/password/reset: the token of the emailed link, and the new password. */
export interface PasswordResetRequest {
  token: string;
  password: string;
}

/** POST /api/loggedIn */
export interface LoggedIn {
  url: NextUrl;
  /** Who is signed in, once a password or a passkey was accepted (the header shows it). */
  username?: string;
}

// ---- the second factor (/api/accountsecurity) -----------------------------------------------

/** POST …/sms and …/voice */
export interface CodeSent {
  success: true;
  message: string;
  /** The masked phone number, e.g. "+1-XXX-XXX-1234". */
  cellphone: string;
}

/** POST …/verify, and POST …/softtoken (the authenticator app's first code, after 2FA). */
export interface TokenRequest {
  token: string;
}

/** A soft token waiting for its first code: its QR code (a data: URL) and otpauth:// URI. */
export interface SoftTokenEnrolment {
  qr_code: string;
  otpauth_url: string;
}

/** GET …/softtoken */
export interface SoftTokenState {
  enrol: SoftTokenEnrolment | null;
}

/** POST …/onetouch (a push request sent) and …/onetouchstatus (its status). */
export interface PushAnswer {
  success: true;
  /** `uuid` is the provider's id of the request (Authy's uuid, Verify's Challenge sid). */
  approval_request: { uuid: string; status?: ApprovalStatus };
}

// ---- phone verification (/api/verification) -------------------------------------------------

export type Channel = 'sms' | 'call';

/** POST /api/verification/start */
export interface VerificationStartRequest extends PhoneNumber {
  via: Channel;
}

export interface VerificationStarted {
  success: true;
  message: string;
}

/** POST /api/verification/verify */
export interface VerificationCheckRequest extends PhoneNumber {
  token: string;
}

// ---- what 2FA protects ----------------------------------------------------------------------

/** GET /api/protected */
export interface ProtectedContent {
  username: string;
  message: string;
}

// ---- passkeys (/api/passkeys) ---------------------------------------------------------------

/** POST …/registration/options */
export type PasskeyCreationOptions = PublicKeyCredentialCreationOptionsJSON;
/** POST …/authentication/options and …/sign-in/options */
export type PasskeyRequestOptions = PublicKeyCredentialRequestOptionsJSON;
/** POST …/registration: what the browser made. */
export type PasskeyRegistration = RegistrationResponseJSON;
/** POST …/authentication and …/sign-in: what the browser signed. */
export type PasskeyAssertion = AuthenticationResponseJSON;

/** POST …/registration and PATCH …/:id */
export interface PasskeyAnswer {
  passkey: PasskeySummary;
}

/** PATCH …/:id */
export interface PasskeyRenameRequest {
  name: string;
}

/** GET …/available: whether /2fa offers "Use a passkey". */
export interface PasskeyAvailability {
  available: boolean;
}
