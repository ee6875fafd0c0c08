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
export type ProviderUser = Pick<User, 'username' | 'phone' | 'authyId' | 'verify' | 'createdAt'>;

export interface SendResult {
  message: string;
  /** The number the code went to, masked: "+1-XXX-XXX-1234". */
  cellphone: string;
  /**
   * What this send created upstream (Verify's VerificationSid), when the code is to be checked
   * against it: the session keeps it, so a code is never checked by phone number alone.
   */
  codeId?: string;
}

/** What the session knows when a code is typed at /2fa. */
export interface TokenContext {
  /** The code this session had sent (`SendResult.codeId`): a sent code is checked against that one only. */
  sentCodeId?: string;
  /** Whether this session may enrol the soft token that waits for its first code (auth/login-session.ts). */
  mayEnrol: boolean;
}

export interface PushRequest {
  message: string;
  /** Shown on the phone, in this order. */
  details: Record<string, string>;
  hiddenDetails: Record<string, string>;
  ttlSeconds: number;
}

export interface TokenCheck {
  /** True only when the provider said that this code is right. */
  valid: boolean;
  /** The code this session had sent can no longer be checked (expired, used, out of checks): not the user's failure. */
  expired?: boolean;
  /** This code was the soft token's first: it enrolled it. */
  enrolled?: boolean;
  /** What to store on the user from now on (a soft token enrolled), when it changed, right code or not. */
  record?: ProviderRecord;
}

/** A soft token waiting for its first code. */
export interface PendingSoftToken {
  otpauthUri: string;
  /** When it was created: one that waited too long is replaced when enrolment starts again. */
  createdAt: Date;
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
  /**
   * A user's phone number changes to `person.phone`, proven by a phone verification first: what
   * to store with the user besides the number. Authy registers the new number (a new Authy id);
   * Verify sends codes to the stored number, so nothing else changes.
   */
  changePhone(person: { username: string; email: string; phone: Phone }): Promise<ProviderRecord>;
  /** The soft token waiting for its first code (its QR code is shown until then), if any. */
  pendingSoftToken(user: ProviderUser): PendingSoftToken | undefined;
  /** A new soft token in place of the pending one (which is deleted upstream); the record to store. */
  renewSoftToken(user: ProviderUser): Promise<ProviderRecord>;
  /** Sends a code by SMS or voice call to the user's phone. */
  sendCode(user: ProviderUser, channel: 'sms' | 'call'): Promise<SendResult>;
  /**
   * Checks what the user typed at /2fa: a code this session had sent by SMS or call, or the soft
   * token's code (one field takes both, as Authy's did). Not valid for a wrong one; throws for
   * anything else. The pending soft token is enrolled only when `context.mayEnrol`.
   */
  checkToken(user: ProviderUser, token: string, context: TokenContext): Promise<TokenCheck>;
  /** Sends a push request to the user's phone; returns its id. */
  createPush(user: ProviderUser, request: PushRequest): Promise<string>;
  pushStatus(user: ProviderUser, id: string): Promise<ApprovalStatus>;
  /** Phone verification: sends a code; a sentence saying where it went, and what to check the code against. */
  startPhoneVerification(phone: Phone, via: 'sms' | 'call'): Promise<{ message: string; codeId?: string }>;
  /** False for a wrong code; throws for anything else. `codeId`: what this session's start returned. */
  checkPhoneVerification(phone: Phone, code: string, codeId: string | undefined): Promise<boolean>;
  readonly callback: PushCallback;
}
