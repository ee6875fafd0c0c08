// The login state of a session, and the only code that reads or writes it. A login has one
// stage: 'password' (first factor passed, 2FA pending) or 'complete' (2FA passed). The stage
// lives inside the login record, so "2FA passed but not logged in" cannot be written. Beside
// it: the phone verified in this session, the codes this session had sent, the push request of
// this login, and the pending passkey challenge. See docs/architecture.md, "The login state".
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import type { FinalApprovalStatus } from '../../common/approval-status';
import { RECHECK_FIELD } from '../../common/passkey-info';
import { HttpError } from '../http/errors';
import { destroySession, regenerateSession } from '../http/session';
import type { Phone } from '../../common/phone-number';
import { loginListener, type SignInMethod } from './login-events';

export type LoginStage = 'anonymous' | 'password' | 'complete';

export type LoginState = { stage: 'anonymous' } | { stage: 'password' | 'complete'; userId: string; username: string };

/** A login ends after this long, however active it was. */
export const ABSOLUTE_TIMEOUT_MS = 8 * 60 * 60 * 1000;

/** What a passkey challenge is for: enrolling one, a second factor (or a fresh check), or a sign-in without a password. */
export type PasskeyPurpose = 'register' | 'second-factor' | 'sign-in';

/** A second factor passed this recently is "fresh": the actions below need one. */
export const FRESH_CHECK_MS = 5 * 60 * 1000;

/** What a fresh check is asked for; a push request made to give one names it. */
export type FreshCheckAction = SessionData['freshCheckFor'];

/** Where this session's login stands: the one reader of the login record. */
export function loginStage(req: Request): LoginState {
  const login = req.session?.login;
  if (!login) return { stage: 'anonymous' };
  return { stage: login.stage, userId: login.userId, username: login.username };
}

/** The phone number verified in this session, if any. */
export function verifiedPhone(req: Request): string | undefined {
  return req.session?.verifiedPhone;
}

/**
 * Password (or registration) accepted: a new session id, 2FA pending, nothing else carried over.
 * A login that registered the account may enrol its soft token until it first passes 2FA; one
 * that typed only the password never may.
 */
export function startLogin(
  req: Request,
  user: { id: string; username: string },
  now: number,
  how: 'password' | 'registration' = 'password',
): Promise<void> {
  return regenerateSession(req, (s) => {
    s.login = { userId: user.id, username: user.username, stage: 'password', startedAt: now };
    if (how === 'registration') s.login.enrolling = true;
  });
}

/** A complete login's public handle: it names the session in the account's list, never its id. */
const newHandle = () => randomBytes(16).toString('base64url');

/**
 * Second factor accepted (also a fresh check after 2FA): a new session id for the new
 * privilege; the login and a verified phone are kept, and `checkedAt` records when. A code that
 * only enrolled the soft token (`fresh: false`) passes 2FA but is no fresh check: whoever holds
 * the session could have read that seed. `how` names the factor for the activity log.
 */
export async function passSecondFactor(
  req: Request,
  now: number,
  { fresh = true, how }: { fresh?: boolean; how: SignInMethod },
): Promise<void> {
  const login = req.session?.login;
  if (!login) throw new HttpError(401, 'Please log in first.');
  const phone = req.session.verifiedPhone;
  // `enrolling` ends here: the login has left /2fa. A listed login keeps its handle across the new id.
  const at = fresh ? now : login.checkedAt;
  const listed = login.stage === 'complete' ? login.handle : undefined;
  await regenerateSession(req, (s) => {
    s.login = { userId: login.userId, username: login.username, stage: 'complete', startedAt: login.startedAt };
    if (at !== undefined) s.login.checkedAt = at;
    s.login.passedAt = now;
    s.login.handle = listed ?? newHandle();
    if (phone !== undefined) s.verifiedPhone = phone;
  });
  const listener = loginListener(req);
  if (listed) await listener?.renewed(req);
  else await listener?.signedIn(req, login.stage === 'password' ? how : undefined);
}

/**
 * A passkey with user verification accepted, without a password: possession of the key and
 * the verified user (PIN or biometrics) are two factors, so the login starts complete.
 */
export async function startPasskeyLogin(req: Request, user: { id: string; username: string }, now: number): Promise<void> {
  await regenerateSession(req, (s) => {
    s.login = { userId: user.id, username: user.username, stage: 'complete', startedAt: now, checkedAt: now, passedAt: now };
    s.login.handle = newHandle();
  });
  await loginListener(req)?.signedIn(req, 'passkey-alone');
}

/**
 * The right password on a browser remembered after an earlier 2FA (account/): the login completes
 * without a second factor, and so without a fresh check (no `checkedAt`, no `passedAt`): every
 * change to the account still asks for one.
 */
export async function startRememberedLogin(req: Request, user: { id: string; username: string }, now: number): Promise<void> {
  await regenerateSession(req, (s) => {
    s.login = { userId: user.id, username: user.username, stage: 'complete', startedAt: now, handle: newHandle() };
  });
  await loginListener(req)?.signedIn(req, 'remembered-browser');
}

/** The public handle of this session's complete login (the account's list of sessions knows it by that). */
export function loginHandle(req: Request): string | undefined {
  const login = req.session?.login;
  return login?.stage === 'complete' ? login.handle : undefined;
}

/** When this login last passed a second-factor check (2FA, a passkey), if it has. */
export function lastSecondFactorCheck(req: Request): number | undefined {
  const login = req.session?.login;
  return login?.stage === 'complete' ? login.checkedAt : undefined;
}

/** Whether this login passed a second factor within FRESH_CHECK_MS. */
export function hasFreshCheck(req: Request, now: number): boolean {
  const at = lastSecondFactorCheck(req);
  return at !== undefined && now - at <= FRESH_CHECK_MS;
}

/**
 * For actions a stolen session must not take: a 403 (`field: "recheck"`) unless a second factor
 * was passed within FRESH_CHECK_MS. The action is remembered, so a push request sent for the
 * check can name it.
 */
export function requireFreshCheck(req: Request, action: FreshCheckAction, now: number): void {
  if (hasFreshCheck(req, now)) return;
  askForFreshCheck(req, action);
}

/**
 * `requireFreshCheck` for what comes with passing 2FA (remembering this browser, the first
 * recovery codes): here the soft token's enrolling code counts too. It is no fresh check for
 * adding a factor, since whoever holds the registering session could have read its seed; but
 * these give that holder nothing the seed does not (the password is still needed).
 */
export function requireRecentSecondFactor(req: Request, action: FreshCheckAction, now: number): void {
  const login = req.session?.login;
  const passedAt = login?.stage === 'complete' ? login.passedAt : undefined;
  if (hasFreshCheck(req, now) || (passedAt !== undefined && now - passedAt <= FRESH_CHECK_MS)) return;
  askForFreshCheck(req, action);
}

function askForFreshCheck(req: Request, action: FreshCheckAction): never {
  if (req.session) req.session.freshCheckFor = action;
  throw new HttpError(403, 'Please confirm it is you first, with a passkey or your second factor.', RECHECK_FIELD);
}

/** The action the last fresh check was asked for (until a second factor is passed). */
export function freshCheckAction(req: Request): FreshCheckAction | undefined {
  return req.session?.freshCheckFor;
}

/**
 * Whether this session may see, and enrol, the soft token waiting for its first code: the login
 * that registered the account (until it first passes 2FA), or one with a fresh second factor.
 * Never a login that passed only the password.
 */
export function mayEnrolSoftToken(req: Request, now: number): boolean {
  const login = req.session?.login;
  if (!login) return false;
  return login.stage === 'password' ? login.enrolling === true : hasFreshCheck(req, now);
}

/** Keeps the id of the code this login just had sent (Verify's VerificationSid): a code typed at /2fa is checked against it only. */
export function rememberSentCode(req: Request, id: string): void {
  const login = req.session?.login;
  if (login) req.session.sentCode = { userId: login.userId, id };
}

/** The id of the code this login had sent, if any. */
export function sentCode(req: Request): string | undefined {
  const sent = req.session?.sentCode;
  return sent && sent.userId === req.session.login?.userId ? sent.id : undefined;
}

/** That code cannot be checked any more (expired, used, or out of checks). */
export function forgetSentCode(req: Request): void {
  if (req.session) delete req.session.sentCode;
}

/** Keeps the id of the phone verification this session started for `phone` (E.164). */
export function rememberPhoneCode(req: Request, phone: string, id: string): void {
  req.session.phoneCode = { phone, id };
}

/** The id of the phone verification this session started for `phone`, if it did. */
export function phoneCode(req: Request, phone: string): string | undefined {
  const started = req.session?.phoneCode;
  return started?.phone === phone ? started.id : undefined;
}

/** Keeps the new number a phone change sent its code to (and Verify's VerificationSid of that send), for this login's user. */
export function rememberPhoneChange(req: Request, phone: Phone, id: string | undefined): void {
  const login = req.session?.login;
  if (!login) return;
  const { e164, callingCode, national } = phone;
  req.session.phoneChange =
    id === undefined ? { userId: login.userId, e164, callingCode, national } : { userId: login.userId, e164, callingCode, national, id };
}

/** The phone change this login started, if any. */
export function pendingPhoneChange(req: Request): { phone: Phone; id?: string } | undefined {
  const change = req.session?.phoneChange;
  if (!change || change.userId !== req.session.login?.userId) return undefined;
  return { phone: { e164: change.e164, callingCode: change.callingCode, national: change.national }, id: change.id };
}

export function forgetPhoneChange(req: Request): void {
  if (req.session) delete req.session.phoneChange;
}

/** Keeps the challenge of a passkey ceremony, bound to this session (and to its login, if any). */
export function rememberPasskeyChallenge(req: Request, purpose: PasskeyPurpose, challenge: string, expiresAt: number): void {
  const userId = req.session.login?.userId;
  // No undefined field: the store would keep it as null.
  req.session.passkeyChallenge = userId === undefined ? { purpose, challenge, expiresAt } : { purpose, challenge, expiresAt, userId };
}

/**
 * The pending challenge for `purpose`, removed from the session: each is offered once. Undefined
 * when there is none, it is for something else, it expired, or the login changed since.
 */
export function takePasskeyChallenge(
  req: Request,
  purpose: PasskeyPurpose,
  now: number,
): { challenge: string; expiresAt: number } | undefined {
  const pending = req.session?.passkeyChallenge;
  if (!pending) return undefined;
  delete req.session.passkeyChallenge;
  const fits = pending.purpose === purpose && pending.expiresAt > now && (pending.userId ?? undefined) === req.session.login?.userId;
  return fits ? { challenge: pending.challenge, expiresAt: pending.expiresAt } : undefined;
}

/** The phone verification demo succeeded for `phone`. */
export function markPhoneVerified(req: Request, phone: string): void {
  req.session.verifiedPhone = phone;
}

/** Logout, or a login whose user is gone: the session and its id end. */
export async function endLogin(req: Request): Promise<void> {
  if (!req.session) return;
  if (loginHandle(req) !== undefined) await loginListener(req)?.ending(req);
  await destroySession(req);
}

/** The push request of this login, if one was made. */
export function currentPush(req: Request): { id: string; status?: FinalApprovalStatus } | undefined {
  return req.session?.push;
}

export function rememberPush(req: Request, id: string): void {
  req.session.push = { id };
}

/** Keeps the final answer, so later polls cost no database read and no upstream call. */
export function settlePush(req: Request, id: string, status: FinalApprovalStatus): void {
  req.session.push = { id, status };
}

/** Runs after the session is loaded: upgrades sessions stored in the old shape, ends logins past the absolute limit. */
export function loginSessionMiddleware(now: () => number = Date.now): RequestHandler {
  return (req, _res, next) => {
    if (!req.session) return next();
    upgradeOldFields(req.session, now());
    upgradeOldPush(req.session);
    const login = req.session.login;
    if (login && now() - login.startedAt > ABSOLUTE_TIMEOUT_MS) {
      // The request goes on with a fresh, empty session; the old id is deleted from the store.
      req.session.regenerate((err) => next(err));
      return;
    }
    next();
  };
}

/** Fields of sessions written before the login record existed (loggedIn, authy = "2FA passed", ph_verified, …). */
interface OldFields {
  loggedIn?: unknown;
  authy?: unknown;
  ph_verified?: unknown;
  userId?: unknown;
  username?: unknown;
  createdAt?: unknown;
  onetouchUuid?: unknown;
  onetouchStatus?: unknown;
}
const OLD_KEYS: (keyof OldFields)[] = [
  'loggedIn',
  'authy',
  'ph_verified',
  'userId',
  'username',
  'createdAt',
  'onetouchUuid',
  'onetouchStatus',
];
const FINAL_STATUSES = new Set(['approved', 'denied', 'expired']);

/**
 * A session stored in the old shape is read once and rewritten in the new one, so nobody is
 * logged out by the upgrade. Only a consistent old login is carried over: `authy` without
 * `loggedIn` (a state the new shape cannot express) becomes anonymous.
 */
function upgradeOldFields(session: Request['session'], now: number): void {
  const old = session as unknown as OldFields & Record<string, unknown>;
  if (!OLD_KEYS.some((key) => key in old)) return;
  if (!session.login && old.loggedIn === true && typeof old.userId === 'string' && typeof old.username === 'string') {
    session.login = {
      userId: old.userId,
      username: old.username,
      stage: old.authy === true ? 'complete' : 'password',
      startedAt: typeof old.createdAt === 'number' ? old.createdAt : now,
    };
    if (typeof old.onetouchUuid === 'string') session.push = pushOf(old.onetouchUuid, old.onetouchStatus);
  }
  // The old shape kept the number beside a flag; without the flag the number meant nothing.
  if (old.ph_verified !== true) delete old.verifiedPhone;
  else if (typeof old.verifiedPhone !== 'string') old.verifiedPhone = '';
  for (const key of OLD_KEYS) delete old[key];
}

/** The push record, with a final status only when it is one (no undefined field: the store would keep it as null). */
function pushOf(id: string, status: unknown): SessionData['push'] {
  return typeof status === 'string' && FINAL_STATUSES.has(status) ? { id, status: status as FinalApprovalStatus } : { id };
}

/** Sessions written before push requests had a neutral id kept it as `push.uuid`. */
function upgradeOldPush(session: Request['session']): void {
  const push = session.push as { id?: unknown; uuid?: unknown; status?: unknown } | undefined;
  if (push && push.id === undefined && typeof push.uuid === 'string') session.push = pushOf(push.uuid, push.status);
}
