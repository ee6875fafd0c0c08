// Session fields, typed by declaration merging (SPEC §3).
import 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    username: string;
    loggedIn: boolean;
    /** 2FA passed. */
    authy: boolean;
    ph_verified: boolean;
    /** The phone number verified in this session, shown on /verified. */
    verifiedPhone: string;
    onetouchUuid: string;
    /** The push request's final answer, once known. */
    onetouchStatus: 'approved' | 'denied' | 'expired';
    /** When this login began (ms since epoch), for the absolute timeout. */
    createdAt: number;
  }
}
