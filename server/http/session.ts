// Sessions in MongoDB, through express-session and connect-mongo. Nothing is stored until there
// is something to keep (saveUninitialized:false), and an unchanged session is not written back
// (resave:false). A session lasts 30 min idle: its stored expiry is moved on when it is read, at
// most once a minute (TOUCH_AFTER_S), and its cookie carries no expiry of its own (it ends with
// the browser), so the cookie goes out when the session id changes, not with every response.
// A session id that logout or a new id (login, 2FA) ended stays dead: see SessionStore. A session
// that could not be saved is answered with the error handler's answer (503 in an outage), never
// a 200 without it: see createSessionMiddleware. What a session holds, and the 8 h limit of a
// login, belong to auth/login-session.ts.
import type { RequestHandler, Request, Response } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import type { Db, MongoClient } from 'mongodb';
import type { ExpirySpec } from '../db/expiry';
import { HttpError } from './errors';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** Seconds during which a session's stored expiry is not moved on again. */
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
  /** Answers a request whose session could not be saved (the app's error handler). */
  onSaveError: (err: unknown, req: Request, res: Response) => void;
}

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-asq.sid' : 'asq.sid');

/** Set on a session generated in this request (new, or a new id): the only kind the store may create. */
const CREATED_HERE = Symbol('session created in this request');
/** The session's fields as JSON, as it was read (or last saved) in this request: a change shows against it. */
const AS_STORED = Symbol('session fields as stored');
type StoredSession = session.SessionData & { [CREATED_HERE]?: true; [AS_STORED]?: string };

interface SessionDocument {
  _id: string;
  session: session.SessionData;
  expires?: Date;
  lastModified?: Date;
}

/** The session's own fields (not its cookie) as JSON. */
function fieldsOf(data: session.SessionData): string {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(data)) if (key !== 'cookie') fields[key] = (data as unknown as Record<string, unknown>)[key];
  return JSON.stringify(fields);
}

const expiresOf = (data: session.SessionData) => new Date(data.cookie.expires ?? Date.now() + IDLE_TIMEOUT_MS);

/**
 * connect-mongo writes every session with an upsert. A request that loaded a session before
 * logout (or before the id changed) and saves it afterwards would then bring the dead id back
 * to life. Here only a session created in this request is inserted; a loaded one is written
 * back, or its expiry moved on, only while it still exists.
 */
class SessionStore extends MongoStore {
  private readonly db: Db;
  /** Expiry moves being written, by session id (see update()). */
  private readonly moving = new Map<string, Promise<void>>();

  constructor(options: ConstructorParameters<typeof MongoStore>[0] & { client: MongoClient; dbName: string }) {
    super(options);
    this.db = options.client.db(options.dbName);
    // express-session calls touch(), after one more hash of the session, at the end of every
    // request that saved nothing; this store moves the expiry on when it reads instead.
    Object.defineProperty(this, 'touch', { value: undefined });
  }

  /**
   * One read by id. An expired session is none; a live one whose last write is older than
   * TOUCH_AFTER_S gets its expiry moved on, not waited for (a failed move is tried again by the
   * next request, and an update of a session that logout ended finds nothing). The read is a
   * find command answered in one batch, not findOne: the driver's cursor, made, read and closed
   * for one document, cost about a fifth of a session read's CPU in the app.
   */
  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void): void {
    // Strings in the reply are ours, written by this store: not checked again for valid UTF-8.
    const read = { find: SESSIONS_COLLECTION, filter: { _id: sid }, limit: 1, batchSize: 1, singleBatch: true };
    this.db.command(read, { enableUtf8Validation: false }).then(
      (reply) => {
        const doc = (reply as { cursor?: { firstBatch?: SessionDocument[] } }).cursor?.firstBatch?.[0];
        const now = Date.now();
        if (!doc || (doc.expires && doc.expires.getTime() <= now)) return callback(null, null);
        if (now - (doc.lastModified?.getTime() ?? 0) >= TOUCH_AFTER_S * 1000) {
          const move = this.write(sid, { expires: new Date(now + IDLE_TIMEOUT_MS), lastModified: new Date(now) }).catch(() => {});
          this.moving.set(sid, move);
          void move.then(() => {
            if (this.moving.get(sid) === move) this.moving.delete(sid);
          });
        }
        callback(null, doc.session);
      },
      (err: unknown) => callback(err),
    );
  }

  override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
    const created = super.createSession(req, data) as session.Session & StoredSession;
    created[AS_STORED] = fieldsOf(created);
    return created;
  }

  override set(sid: string, data: StoredSession, callback: (err?: unknown) => void = () => {}): void {
    if (data[CREATED_HERE]) {
      // Saved before the answer (createSessionMiddleware) and unchanged since: express-session
      // saves a session with a new id once more, which would write the same document again.
      const fields = fieldsOf(data);
      if (fields === data[AS_STORED]) return callback();
      return super.set(sid, data, (err?: unknown) => {
        if (!err) data[AS_STORED] = fields;
        callback(err);
      });
    }
    // As connect-mongo stores it (stringify: false): the fields, and the cookie as JSON.
    const stored = { ...data, cookie: (data.cookie as unknown as { toJSON(): object }).toJSON() };
    this.update(sid, { session: stored, expires: expiresOf(data), lastModified: new Date() }, callback);
  }

  /**
   * A new id (login, 2FA) for a session loaded from the store only while that session still
   * exists: a request in flight when logout ended it gets a 401, not a fresh session.
   */
  override regenerate(req: Request, callback: (err?: unknown) => void): void {
    const data = req.session as StoredSession;
    const loaded = !data[CREATED_HERE];
    const generate = () => (this as unknown as { generate: (req: Request) => void }).generate(req);
    // A visitor's session made in this request and never written: there is nothing to delete.
    if (!loaded && data[AS_STORED] === '{}') {
      generate();
      return callback();
    }
    this.collectionP
      .then((sessions) => sessions.deleteOne({ _id: req.sessionID }))
      .then(({ deletedCount }) => {
        if (loaded && deletedCount === 0) return callback(new HttpError(401, 'Your session has ended. Please log in again.'));
        generate();
        callback();
      }, callback);
  }

  /**
   * An update without upsert: a session that is gone stays gone, and that is no error. It waits
   * for the session's expiry move of this request, if one is being written: FerretDB applies an
   * update by reading and writing back the whole document, so of two updates of one session at
   * once, one could undo the other (the session saved, then its old fields written back).
   */
  private update(sid: string, fields: Record<string, unknown>, callback: (err?: unknown) => void): void {
    (this.moving.get(sid) ?? Promise.resolve())
      .then(() => this.write(sid, fields))
      .then(
        () => callback(),
        (err: unknown) => callback(err),
      );
  }

  private async write(sid: string, fields: Record<string, unknown>): Promise<void> {
    const sessions = await this.collectionP;
    await sessions.updateOne({ _id: sid }, { $set: fields });
  }
}

/** Whether express-session would write this session at the end of the response. */
const needsSaving = (data: StoredSession | undefined): data is StoredSession => !!data && fieldsOf(data) !== data[AS_STORED];

export function createSessionMiddleware(opts: SessionOptions): RequestHandler {
  const store = new SessionStore({
    client: opts.client,
    dbName: opts.dbName,
    collectionName: SESSIONS_COLLECTION,
    autoRemove: opts.nativeExpiry ? 'native' : 'disabled',
    // lastModified is written with each session; a new one expires IDLE_TIMEOUT_MS after its write.
    touchAfter: TOUCH_AFTER_S,
    ttl: IDLE_TIMEOUT_MS / 1000,
    stringify: false,
  });
  const middleware = session({
    name: sessionCookieName(opts.secure),
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    // No maxAge: the idle timeout is the stored expiry's, so the cookie need not be sent again
    // with every response to move its own expiry on (one HMAC and a Set-Cookie each time).
    // (unset stays 'keep': with 'destroy', a request whose session could not be loaded, say in a
    // database outage, would delete that session at its end, and wait for the dead database to do so.)
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/' },
  });
  // express-session installs `generate` (new sessions, and new ids) on the store: mark what it makes.
  const sessionStore = store as unknown as { generate: (req: Request) => void };
  const generate = sessionStore.generate;
  sessionStore.generate = (req) => {
    generate(req);
    const created = req.session as StoredSession;
    created[CREATED_HERE] = true;
    created[AS_STORED] = '{}';
  };

  // express-session sends the answer's headers and all but its last byte before its save ends,
  // and ends the answer whatever the save's outcome: a failed save would be a 200 whose session
  // is lost. So a session that changed is saved here first, before express-session sees the
  // end of the answer; if that fails, the error handler answers instead, and no cookie goes out.
  return (req, res, next) => {
    middleware(req, res, (err?: unknown) => {
      if (err) return next(err);
      const end = res.end.bind(res) as (...args: unknown[]) => Response;
      res.end = function (...args: unknown[]) {
        res.end = end as Response['end'];
        const data = req.session as StoredSession | undefined;
        const answer = () => end(...args);
        if (res.headersSent || !needsSaving(data)) return answer();
        (data as session.Session & StoredSession).save((saveErr?: unknown) => {
          if (!saveErr) {
            data[AS_STORED] = fieldsOf(data);
            answer();
            return;
          }
          (req as { session?: unknown }).session = undefined; // express-session then neither saves it nor sets its cookie
          opts.onSaveError(saveErr, req, res);
        });
        return res;
      } as Response['end'];
      next();
    });
  };
}

/**
 * Issues a new session id (privilege change) and fills it; the old id is dead afterwards.
 * The new session is stored before the response is sent, so no save() here.
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
