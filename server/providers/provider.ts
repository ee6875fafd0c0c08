// The boundary between the routes and the 2FA API behind them. Routes, the login state, limits
// and the SPA see only this interface; Authy (authy.ts) and Twilio Verify v2 (verify.ts)
// implement it, and compose.ts picks one. See docs/architecture.md, "Providers".
import type { Request, RequestHandler } from 'express';
import type { ApprovalStatus, FinalApprovalStatus } from '../../common/approval-status';
import type { ProviderRecord, User } from '../auth/user.model';
import type { ProviderName } from '../platform/config';
import type { Phone } from '../http/validate';

export type { ProviderName, ProviderRecord };

/** A user as the providers see it: the stored document's fields. */
export type ProviderUser = Pick<User, 'username' | 'phone' | 'authyId' | 'verify'>;

export interface SendResult {
  message: string;
  /** The number the code went to, masked: "+1-XXX-XXX-1234". */
  cellphone: string;
}

export interface PushRequest {
  message: string;
  /** Shown on the phone, in this order. */
  details: Record<string, string>;
  hiddenDetails: Record<string, string>;
  ttlSeconds: number;
}

export interface TokenCheck {
  valid: boolean;
  /** What to store on the user from now on (a soft token just enrolled), when it changed. */
  record?: ProviderRecord;
}

/** A push answer the provider POSTs to us, signed. */
export interface PushCallback {
  /** Where it arrives (mounted before sessions and CSRF). */
  path: string;
  /** Its body parser (the provider's encoding). */
  parseBody: RequestHandler | RequestHandler[];
  /** Whether the signature holds for `url`, the callback URL built from PUBLIC_URL (never from forwarded headers). */
  isSigned(req: Request, url: string): boolean;
  /** What makes this delivery unique (accepted once), or undefined when the body has none. */
  deliveryId(req: Request): string | undefined;
  /** The request it answers; 'ignored' for events the app does not use; undefined when malformed. */
  answer(body: unknown): { id: string; status: Exclude<FinalApprovalStatus, 'expired'> } | 'ignored' | undefined;
}

export interface TwoFactorProvider {
  readonly name: ProviderName;
  /** Registers a new user for 2FA; the result is stored with the user (one insert, after this). */
  register(person: { username: string; email: string; phone: Phone }): Promise<ProviderRecord>;
  /** The soft token waiting for its first code, whose QR code /2fa shows until then. */
  pendingSoftToken(user: ProviderUser): { otpauthUri: string } | undefined;
  /** Sends a code by SMS or voice call to the user's phone. */
  sendCode(user: ProviderUser, channel: 'sms' | 'call'): Promise<SendResult>;
  /**
   * Checks what the user typed at /2fa: a code sent by SMS or call, or the soft token's code
   * (one field takes both, as Authy's did). False for a wrong one; throws for anything else.
   */
  checkToken(user: ProviderUser, token: string): Promise<TokenCheck>;
  /** Sends a push request to the user's phone; returns its id. */
  createPush(user: ProviderUser, request: PushRequest): Promise<string>;
  pushStatus(user: ProviderUser, id: string): Promise<ApprovalStatus>;
  /** Phone verification: sends a code; returns a sentence saying where it went. */
  startPhoneVerification(phone: Phone, via: 'sms' | 'call'): Promise<string>;
  /** False for a wrong code; throws for anything else. */
  checkPhoneVerification(phone: Phone, code: string): Promise<boolean>;
  readonly callback: PushCallback;
}
