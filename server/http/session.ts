// Sessions in MongoDB (connect-mongo). Nothing is stored until there is something to keep
// (saveUninitialized:false), unchanged sessions are not rewritten (resave:false, touchAfter),
// and a session lasts 30 min idle (rolling cookie). A session id that logout or a new id
// (login, 2FA) ended stays dead: see SessionStore. What a session holds, and the 8 h limit of a
// login, belong to auth/login-session.ts.
import type { RequestHandler, Request } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import type { MongoClient } from 'mongodb';
import type { ExpirySpec } from '../db/expiry';
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
  /** FerretDB has no TTL index: expired sessions are swept by our own job instead. */
  nativeExpiry: boolean;
}

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-asq.sid' : 'asq.sid');

/** Set on a session generated in this request (new, or a new id): the only kind the store may create. */
const CREATED_HERE = Symbol('session created in this request');
type StoredSession = session.SessionData & { lastModified?: Date; [CREATED_HERE]?: true };

/**
 * connect-mongo writes every session with an upsert. A request that loaded a session before
 * logout (or before the id changed) and saves it afterwards would then bring the dead id back
 * to life. Here only a session created in this request is inserted; a loaded one is written
 * back (or touched) only while it still exists.
 */
class SessionStore extends MongoStore {
  override set(sid: string, data: StoredSession, callback: (err?: unknown) => void = () => {}): void {
    if (data[CREATED_HERE]) return super.set(sid, data, callback);
    delete data.lastModified;
    // As connect-mongo stores it (stringify: false): the fields, and the cookie as JSON.
    const stored = { ...data, cookie: (data.cookie as unknown as { toJSON(): object }).toJSON() };
    this.update(sid, { session: stored, expires: expiresOf(data), lastModified: new Date() }, callback);
  }

  override touch(sid: string, data: StoredSession, callback: (err?: unknown) => void = () => {}): void {
    const last = data.lastModified?.getTime() ?? 0;
    if (last > 0 && Date.now() - last < TOUCH_AFTER_S * 1000) return callback();
    this.update(sid, { expires: expiresOf(data), lastModified: new Date() }, callback);
  }

  /**
   * A new id (login, 2FA) for a session loaded from the store only while that session still
   * exists: a request in flight when logout ended it gets a 401, not a fresh session.
   */
  override regenerate(req: Request, callback: (err?: unknown) => void): void {
    const loaded = !(req.session as StoredSession)[CREATED_HERE];
    this.collectionP
      .then((sessions) => sessions.deleteOne({ _id: req.sessionID }))
      .then(({ deletedCount }) => {
        if (loaded && deletedCount === 0) return callback(new HttpError(401, 'Your session has ended. Please log in again.'));
        (this as unknown as { generate: (req: Request) => void }).generate(req);
        callback();
      }, callback);
  }

  /** An update without upsert: a session that is gone stays gone, and that is no error. */
  private update(sid: string, fields: Record<string, unknown>, callback: (err?: unknown) => void): void {
    this.collectionP
      .then((sessions) => sessions.updateOne({ _id: sid }, { $set: fields }))
      .then(
        () => callback(),
        (err: unknown) => callback(err),
      );
  }
}

const expiresOf = (data: session.SessionData) => new Date(data.cookie.expires ?? Date.now() + IDLE_TIMEOUT_MS);

export function createSessionMiddleware(opts: SessionOptions): RequestHandler {
  const store = new SessionStore({
    client: opts.client,
    dbName: opts.dbName,
    collectionName: SESSIONS_COLLECTION,
    autoRemove: opts.nativeExpiry ? 'native' : 'disabled',
    touchAfter: TOUCH_AFTER_S,
    stringify: false,
  });
  const middleware = session({
    name: sessionCookieName(opts.secure),
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // (unset stays 'keep': with 'destroy', a request whose session could not be loaded, say in a
    // database outage, would delete that session at its end, and wait for the dead database to do so.)
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/', maxAge: IDLE_TIMEOUT_MS },
  });
  // express-session installs `generate` (new sessions, and new ids) on the store: mark what it makes.
  const sessionStore = store as unknown as { generate: (req: Request) => void };
  const generate = sessionStore.generate;
  sessionStore.generate = (req) => {
    generate(req);
    (req.session as StoredSession)[CREATED_HERE] = true;
  };
  return middleware;
}

/**
 * Issues a new session id (privilege change) and fills it; the old id is dead afterwards.
 * express-session stores the new session before the response is sent, so no save() here.
 */
export function regenerateSession(req: Request, fill: (s: Request['session']) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(asError(err));
      fill(req.session);
      resolve();
    });
  });
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(asError(err)) : resolve())));
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
