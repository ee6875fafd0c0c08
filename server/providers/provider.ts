// The boundary between the routes and the 2FA API behind them. Routes, the login state, limits
// and the SPA see only this interface; Authy (authy/) and Twilio Verify v2 (verify/) implement
// it, and start/compose.ts picks one. Each adapter owns what it keeps on a user (its record and
// that record's schema fields); auth/user.model.ts puts the records side by side. See
// docs/architecture.md, "Providers".
import type { Request, RequestHandler } from 'express';
import type { SchemaDefinition } from 'mongoose';
import type { ApprovalStatus, FinalApprovalStatus } from '../../common/approval-status';
import type { Phone } from '../../common/phone-number';
import type { ProviderName } from '../platform/config';

/** What every provider may read of a user besides its own record. */
export interface UserProfile {
  username: string;
  /** E.164, e.g. +14155550100. Users written by the original quickstart have none. */
  phone?: string;
  createdAt: Date;
}

/**
 * A user as a provider sees it: the profile and the provider's own record `R` (whose fields are
 * all optional: a user may hold another provider's record instead). Never another provider's fields.
 */
export type ProviderUser<R extends object> = UserProfile & R;

/** An adapter's record on the user document: its schema fields, and whether a user holds it. */
export interface ProviderRecordSpec<R extends object> {
  fields: SchemaDefinition;
  isHeldBy(user: R): boolean;
  /** Where the record keeps the API's id for the user (a dotted path), to find a user by it. */
  accountPath: string;
  accountOf(user: R): string | undefined;
}

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

/** What a push request says on the phone: the app's words (twofa/push-request.ts); a provider may add its own details. */
export interface PushRequest {
  message: string;
  /** Shown on the phone, in this order. */
  details: Record<string, string>;
  hiddenDetails: Record<string, string>;
  ttlSeconds: number;
}

export interface TokenCheck<R extends object> {
  /** True only when the provider said that this code is right. */
  valid: boolean;
  /** The code this session had sent can no longer be checked (expired, used, out of checks): not the user's failure. */
  expired?: boolean;
  /** This code was the soft token's first: it enrolled it. */
  enrolled?: boolean;
  /** What to store on the user from now on (a soft token enrolled), when it changed, right code or not. */
  record?: R;
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

/** `R`: what the provider keeps on a user (authy/authy-record.ts, verify/verify-record.ts). */
export interface TwoFactorProvider<R extends object = object> {
  /** Which API this is: the metrics' label for its calls (metrics/instrumented-provider.ts). */
  readonly name: ProviderName;
  /**
   * Why this provider can do nothing at all for the user (the routes answer 409 with it), or
   * undefined when it can serve the user, on every channel or on some.
   */
  refusal(user: ProviderUser<R>): string | undefined;
  /** Registers a new user for 2FA; the result is stored with the user (one insert, after this). */
  register(person: { username: string; email: string; phone: Phone }): Promise<R>;
  /**
   * A user's phone number changes to `person.phone`, proven by a phone verification first: what
   * to store with the user besides the number. Authy registers the new number (a new Authy id);
   * Verify sends codes to the stored number, so nothing else changes.
   */
  changePhone(person: { username: string; email: string; phone: Phone }): Promise<R>;
  /** The soft token waiting for its first code (its QR code is shown until then), if any. */
  pendingSoftToken(user: ProviderUser<R>): PendingSoftToken | undefined;
  /** A new soft token in place of the pending one (which is deleted upstream); the record to store. */
  renewSoftToken(user: ProviderUser<R>): Promise<R>;
  /** Sends a code by SMS or voice call to the user's phone. */
  sendCode(user: ProviderUser<R>, channel: 'sms' | 'call'): Promise<SendResult>;
  /**
   * Checks what the user typed at /2fa: a code this session had sent by SMS or call, or the soft
   * token's code (one field takes both, as Authy's did). Not valid for a wrong one; throws for
   * anything else. The pending soft token is enrolled only when `context.mayEnrol`.
   */
  checkToken(user: ProviderUser<R>, token: string, context: TokenContext): Promise<TokenCheck<R>>;
  /** Sends a push request to the user's phone; returns its id. */
  createPush(user: ProviderUser<R>, request: PushRequest): Promise<string>;
  pushStatus(user: ProviderUser<R>, id: string): Promise<ApprovalStatus>;
  /** Phone verification: sends a code; a sentence saying where it went, and what to check the code against. */
  startPhoneVerification(phone: Phone, via: 'sms' | 'call'): Promise<{ message: string; codeId?: string }>;
  /** False for a wrong code; throws for anything else. `codeId`: what this session's start returned. */
  checkPhoneVerification(phone: Phone, code: string, codeId: string | undefined): Promise<boolean>;
  readonly callback: PushCallback;
}
