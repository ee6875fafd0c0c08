// Sessions in MongoDB, one document per session in `sessions`, read once per request that sends
// the session cookie. Nothing is stored until there is something to keep, a session that did not
// change is not written back (only touched, at most once a minute, to extend its expiry), and a
// session lasts 30 min idle (the cookie is renewed on every response, rolling). A session id that
// logout or a new id (login, 2FA) ended stays dead: only a session created in this request is
// ever inserted, a loaded one is only updated while it still exists. What a session holds, and the
// 8 h limit of a login, belong to auth/login-session.ts.
//
// The documents and the cookie are those of express-session with connect-mongo (which this
// replaces), so sessions written by earlier versions stay valid: `{_id, session: {cookie, …fields},
// expires, lastModified}`, and `s:<id>.<HMAC-SHA256 of the id, base64 without padding>`.
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Collection, MongoClient } from 'mongodb';
import onHeaders from 'on-headers';
import type { ExpirySpec } from '../db/expiry';
import { equalMacs } from '../safe-equal';
import type { SessionData } from '../types/session-data';
import { readCookie } from './cookies';
import { HttpError } from './errors';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** Seconds during which an unchanged session is not written back just to extend it. */
export const TOUCH_AFTER_S = 60;
export const SESSIONS_COLLECTION = 'sessions';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [{ collection: SESSIONS_COLLECTION, field: 'expires' }];

export interface SessionOptions {
  client: MongoClient;
  dbName: string;
  secret: string;
  /** True when served over https: the cookie is then Secure and __Host- prefixed. */
  secure: boolean;
  /** Answers a request whose session could not be saved (the app's error handler). */
  onSaveError: (err: unknown, req: Request, res: Response) => void;
}

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-asq.sid' : 'asq.sid');

interface StoredSession {
  _id: string;
  session: SessionData & { cookie?: unknown };
  expires: Date;
  lastModified?: Date;
}

/** What the middleware knows of this request's session, kept on the request. */
interface SessionState {
  sessions: Collection<StoredSession>;
  secret: string;
  /** Created in this request (new, or a new id): the only kind that may be inserted. */
  created: boolean;
  /** The session as loaded (JSON), to tell whether it changed. */
  loadedJson: string;
  /** When a loaded session was last written; an unchanged one is touched after TOUCH_AFTER_S. */
  lastModified: number;
  /** The signed cookie value, once known. */
  signed?: string;
  /** What the end of the response writes, decided once (at the headers or at the end). */
  decision?: Decision;
}
type Decision = 'insert' | 'update' | 'touch' | 'cookie' | 'none';

const STATE = Symbol('session state');
type WithState = Request & { [STATE]?: SessionState };
const stateOf = (req: Request): SessionState => {
  const state = (req as WithState)[STATE];
  if (!state) throw new Error('session: the session middleware did not run for this request');
  return state;
};

const mac = (secret: string, sid: string) => createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
const sign = (secret: string, sid: string) => `s:${sid}.${mac(secret, sid)}`;

/** The session id of a signed cookie value, or undefined when the signature does not match. */
function unsign(secret: string, value: string): string | undefined {
  const dot = value.lastIndexOf('.');
  if (!value.startsWith('s:') || dot < 0) return undefined;
  const sid = value.slice(2, dot);
  return equalMacs(value.slice(dot + 1), mac(secret, sid)) ? sid : undefined;
}

/** express-session's ids: 24 random bytes, base64url. */
const newId = () => randomBytes(24).toString('base64url');

function startNew(req: Request, state: SessionState): void {
  req.sessionID = newId();
  req.session = {};
  state.created = true;
  state.loadedJson = '{}';
  state.signed = undefined;
  state.decision = undefined;
}

const expiryFrom = (now: number) => new Date(now + IDLE_TIMEOUT_MS);
/** The cookie as express-session kept it inside the document. */
const storedCookie = (expires: Date, secure: boolean) => ({
  originalMaxAge: IDLE_TIMEOUT_MS,
  expires,
  secure,
  httpOnly: true,
  path: '/',
  sameSite: 'lax',
});

function decide(req: Request, state: SessionState): Decision {
  if (state.decision) return state.decision;
  const json = JSON.stringify(req.session);
  if (state.created) state.decision = json === '{}' ? 'none' : 'insert';
  else if (json !== state.loadedJson) state.decision = 'update';
  else state.decision = Date.now() - state.lastModified >= TOUCH_AFTER_S * 1000 ? 'touch' : 'cookie';
  return state.decision;
}

export function createSessionMiddleware(opts: SessionOptions): RequestHandler {
  const sessions = opts.client.db(opts.dbName).collection<StoredSession>(SESSIONS_COLLECTION);
  const name = sessionCookieName(opts.secure);
  const cookieTail = `; Path=/; Expires=`;
  const cookieFlags = `; HttpOnly${opts.secure ? '; Secure' : ''}; SameSite=Lax`;

  /** Writes what `decide` chose; undefined when there is nothing to write. */
  function persist(req: Request, state: SessionState): Promise<unknown> | undefined {
    const decision = decide(req, state);
    if (decision === 'none' || decision === 'cookie') return undefined;
    const now = Date.now();
    const expires = expiryFrom(now);
    if (decision === 'touch') return sessions.updateOne({ _id: req.sessionID }, { $set: { expires, lastModified: new Date(now) } });
    const session = { cookie: storedCookie(expires, opts.secure), ...req.session };
    if (decision === 'insert') return sessions.insertOne({ _id: req.sessionID, session, expires, lastModified: new Date(now) });
    // An update without upsert: a session that is gone (logout) stays gone, and that is no error.
    return sessions.updateOne({ _id: req.sessionID }, { $set: { session, expires, lastModified: new Date(now) } });
  }

  /** The cookie goes out whenever a session is kept: renewed on every response (rolling). */
  function setCookie(req: Request, res: Response, state: SessionState): void {
    if (decide(req, state) === 'none') return;
    state.signed ??= sign(opts.secret, req.sessionID);
    const cookie = `${name}=${encodeURIComponent(state.signed)}${cookieTail}${expiryFrom(Date.now()).toUTCString()}${cookieFlags}`;
    const previous = res.getHeader('Set-Cookie');
    res.setHeader('Set-Cookie', previous === undefined ? cookie : [...(Array.isArray(previous) ? previous : [String(previous)]), cookie]);
  }

  return (req, res, next) => {
    const state: SessionState = { sessions, secret: opts.secret, created: false, loadedJson: '{}', lastModified: 0 };
    (req as WithState)[STATE] = state;

    onHeaders(res, () => setCookie(req, res, state));
    // The session is written before the end of the response goes out, so the next request finds it.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      res.end = end as Response['end'];
      const failed = (err: unknown) => {
        if (res.headersSent) return end(...args);
        state.decision = 'none'; // no cookie for a session that was not saved
        opts.onSaveError(err, req, res);
      };
      let writing: Promise<unknown> | undefined;
      try {
        writing = persist(req, state);
      } catch (err) {
        failed(err);
        return res;
      }
      if (!writing) return end(...args);
      writing.then(() => end(...args), failed);
      return res;
    }) as Response['end'];

    const signed = readCookie(req.headers.cookie, name);
    const sid = signed === undefined ? undefined : unsign(opts.secret, signed);
    if (sid === undefined) {
      startNew(req, state);
      return next();
    }
    sessions.findOne({ _id: sid, expires: { $gt: new Date() } }).then(
      (doc) => {
        if (!doc) {
          startNew(req, state);
          return next();
        }
        const data: StoredSession['session'] = { ...doc.session };
        delete data.cookie; // kept in the document for earlier versions; the cookie is made afresh
        req.sessionID = sid;
        req.session = data;
        state.loadedJson = JSON.stringify(data);
        state.lastModified = doc.lastModified?.getTime() ?? 0;
        state.signed = signed;
        next();
      },
      (err: unknown) => {
        state.decision = 'none'; // nothing loaded, nothing to write back
        next(err);
      },
    );
  };
}

/**
 * Issues a new session id (privilege change) and fills it; the old id is dead afterwards. A
 * session loaded from the store must still exist: a request in flight when logout ended it gets
 * a 401, not a fresh session. The new session is stored before the response is sent.
 */
export async function regenerateSession(req: Request, fill: (s: SessionData) => void): Promise<void> {
  const state = stateOf(req);
  const { deletedCount } = await state.sessions.deleteOne({ _id: req.sessionID });
  if (!state.created && deletedCount === 0) throw new HttpError(401, 'Your session has ended. Please log in again.');
  startNew(req, state);
  fill(req.session);
}

/** Ends the session: its document is deleted, and the request goes on as a visitor without one. */
export async function destroySession(req: Request): Promise<void> {
  const state = stateOf(req);
  await state.sessions.deleteOne({ _id: req.sessionID });
  startNew(req, state);
}
