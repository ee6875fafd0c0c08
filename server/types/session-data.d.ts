// Session fields, typed by declaration merging. Only server/auth/login-session.ts reads or
// writes them (docs/architecture.md, "The login state").
import 'express-session';
import type { FinalApprovalStatus } from '../../common/approval-status';

declare module 'express-session' {
  interface SessionData {
    /** Present once a password (or registration) succeeded; `stage` says whether 2FA passed. */
    login: {
      userId: string;
      username: string;
      stage: 'password' | 'complete';
      /** When this login began (ms since epoch), for the absolute timeout. */
      startedAt: number;
      /** When a second factor was last checked (ms since epoch): removing a passkey needs a recent one. */
      checkedAt?: number;
      /** A login that registered the account: it may enrol the soft token until it first passes 2FA. */
      enrolling?: true;
      /** When this login last passed a second factor, the soft token's enrolling code included (ms since epoch). */
      passedAt?: number;
      /** A complete login's public handle: the account's list of sessions knows it by that, never by its id. */
      handle?: string;
    };
    /** The code this login had sent by SMS or call (Verify's VerificationSid), for this user. */
    sentCode: { userId: string; id: string };
    /** The phone verification this session started (Verify's VerificationSid), for this number. */
    phoneCode: { phone: string; id: string };
    /** What the last fresh check was asked for (a push request sent for it names it). */
    freshCheckFor:
      | 'Add a passkey'
      | 'Remove a passkey'
      | 'Set up an authenticator app'
      | 'Reset the authenticator app'
      | 'Change the password'
      | 'Change the phone number'
      | 'Get your recovery codes'
      | 'Generate new recovery codes'
      | 'Remember this browser'
      | 'Forget a remembered browser'
      | 'Forget all remembered browsers'
      | 'Sign out a session'
      | 'Sign out other sessions';
    /** The new number a phone change sent its code to (with Verify's VerificationSid of that send), for this user. */
    phoneChange: { userId: string; e164: string; callingCode: string; national: string; id?: string };
    /** The phone number verified in this session (phone verification demo). */
    verifiedPhone: string;
    /** The push request of this login (the provider's id of it), and its final answer once known. */
    push: { id: string; status?: FinalApprovalStatus };
    /** The challenge of the passkey ceremony in progress (single use; see server/passkeys/). */
    passkeyChallenge: {
      purpose: 'register' | 'second-factor' | 'sign-in';
      challenge: string;
      expiresAt: number;
      /** The login it was issued to; none for a sign-in. */
      userId?: string;
    };
  }
}
