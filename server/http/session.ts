// Sessions in MongoDB (connect-mongo). Nothing is stored until there is something to keep
// (saveUninitialized:false), unchanged sessions are not rewritten (resave:false, touchAfter),
// and a session lasts 30 min idle (rolling cookie). What a session holds, and the 8 h limit of
// a login, belong to auth/login-session.ts.
import type { RequestHandler, Request } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import type { MongoClient } from 'mongodb';
import type { ExpirySpec } from '../db/expiry';

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

export function createSessionMiddleware(opts: SessionOptions): RequestHandler {
  const store = MongoStore.create({
    client: opts.client,
    dbName: opts.dbName,
    collectionName: SESSIONS_COLLECTION,
    autoRemove: opts.nativeExpiry ? 'native' : 'disabled',
    touchAfter: TOUCH_AFTER_S,
    stringify: false,
  });
  return session({
    name: sessionCookieName(opts.secure),
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/', maxAge: IDLE_TIMEOUT_MS },
  });
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
