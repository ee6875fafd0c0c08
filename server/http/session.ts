// Sessions in MongoDB (connect-mongo). Nothing is stored until there is something to keep
// (saveUninitialized:false), unchanged sessions are not rewritten (resave:false, touchAfter),
// and a login lasts 30 min idle (rolling cookie) and 8 h at most (createdAt).
import type { RequestHandler, Request } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import type { MongoClient } from 'mongodb';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
/** Seconds during which an unchanged session is not written back just to extend it. */
export const TOUCH_AFTER_S = 60;
export const SESSIONS_COLLECTION = 'sessions';

export interface SessionOptions {
  client: MongoClient;
  dbName: string;
  secret: string;
  /** True when served over https: the cookie is then Secure and __Host- prefixed. */
  secure: boolean;
  /** FerretDB has no TTL index: expired sessions are swept by our own job instead. */
  nativeExpiry: boolean;
  now?: () => number;
}

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-asq.sid' : 'asq.sid');

export function createSessionMiddleware(opts: SessionOptions): { middleware: RequestHandler[]; store: MongoStore } {
  const store = MongoStore.create({
    client: opts.client,
    dbName: opts.dbName,
    collectionName: SESSIONS_COLLECTION,
    autoRemove: opts.nativeExpiry ? 'native' : 'disabled',
    touchAfter: TOUCH_AFTER_S,
    stringify: false,
  });
  const now = opts.now ?? Date.now;
  const sessionMiddleware = session({
    name: sessionCookieName(opts.secure),
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/', maxAge: IDLE_TIMEOUT_MS },
  });
  // A login older than the absolute limit ends, however active it was: the request goes on
  // with a fresh, empty session and the old id is deleted from the store.
  const absoluteTimeout: RequestHandler = (req, _res, next) => {
    const created = req.session?.createdAt;
    if (created !== undefined && now() - created > ABSOLUTE_TIMEOUT_MS) {
      req.session.regenerate((err) => next(err));
      return;
    }
    next();
  };
  return { middleware: [sessionMiddleware, absoluteTimeout], store };
}

/**
 * Issues a new session id (privilege change) and fills it; the old id is dead afterwards.
 * express-session stores the new session before the response is sent, so no save() here.
 */
export function regenerateSession(req: Request, fill: (s: Request['session']) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      fill(req.session);
      resolve();
    });
  });
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
