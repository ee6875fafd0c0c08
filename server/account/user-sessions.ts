// Each user's signed-in sessions, listed and ended. The sessions themselves are the documents of
// `sessions` (http/session.ts), keyed by their id, which is a secret. Beside them, one record per
// complete login in `user_sessions`: a random public handle, the user, the session's current id,
// the browser's short name, the network, how and when it signed in. It is written when the
// login completes and kept in step when its id changes (login-session.ts tells us; see
// auth/login-events.ts), and removed at logout. Last seen is the session document's own
// `lastModified`, which the store moves at most once a minute: listing costs no write per request.
//
// Ending a session deletes its document, so the next request of that session, in any worker on
// any machine, finds none. Ending every session of a user also deletes the documents of logins
// still at the password stage (they name the user inside). See docs/architecture.md, "Sessions".
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { SessionInfo, SignInMethod } from '../../common/account-api';
import type { ExpirySpec } from '../db/expiry';
import { SESSIONS_COLLECTION } from '../http/session';
import type { Origin } from './activity-log';

const RECORDS_COLLECTION = 'user_sessions';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [{ collection: RECORDS_COLLECTION, field: 'expiresAt' }];

interface SessionRecord extends Origin {
  /** The public handle (the login's, from login-session.ts). */
  _id: string;
  userId: string;
  /** The session's id now: a secret, never sent or logged. */
  sessionId: string;
  method: SignInMethod | null;
  signedInAt: Date;
  /** No later than the login's absolute timeout. */
  expiresAt: Date;
}

/** The fields of a session document this module reads (the store's own format). */
interface SessionDocument {
  _id: string;
  expires: Date;
  lastModified?: Date;
  session?: { login?: { userId?: string } };
}

export class UserSessions {
  private readonly records: Collection<SessionRecord>;
  private readonly sessions: Collection<SessionDocument>;
  private indexed?: Promise<unknown>;

  constructor(connection: Connection) {
    this.records = connection.collection<SessionRecord>(RECORDS_COLLECTION);
    this.sessions = connection.collection<SessionDocument>(SESSIONS_COLLECTION);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexed ??= Promise.all([this.records.createIndex({ userId: 1 }), this.sessions.createIndex({ 'session.login.userId': 1 })]);
    return this.indexed;
  }

  /** A login completed: it is listed from now on. */
  async add(record: Omit<SessionRecord, 'expiresAt'>, expiresAt: Date): Promise<void> {
    await this.ensureIndexes();
    await this.records.insertOne({ ...record, expiresAt });
  }

  /** The login's session has a new id. */
  async renew(handle: string, userId: string, sessionId: string): Promise<void> {
    await this.records.updateOne({ _id: handle, userId }, { $set: { sessionId } });
  }

  /** Logout: the record goes with the session. */
  async remove(handle: string, userId: string): Promise<void> {
    await this.records.deleteOne({ _id: handle, userId });
  }

  /**
   * After a login completed or got a new id, and its session was written: if the record is gone
   * meanwhile (the user signed it out at that moment), the new session goes too. Ending a session
   * deletes the record first and the session after, so one of the two deletes reaches it.
   */
  async confirm(handle: string, sessionId: string): Promise<void> {
    if (!(await this.records.findOne({ _id: handle }, { projection: { _id: 1 } }))) await this.sessions.deleteOne({ _id: sessionId });
  }

  /** The user's live sessions, newest sign-in first; records whose session is gone are dropped. */
  async list(userId: string, currentSessionId: string): Promise<SessionInfo[]> {
    const records = await this.records.find({ userId }).sort({ signedInAt: -1 }).toArray();
    if (records.length === 0) return [];
    const live = await this.sessions
      .find({ _id: { $in: records.map((r) => r.sessionId) }, expires: { $gt: new Date() } }, { projection: { lastModified: 1 } })
      .toArray();
    const seen = new Map(live.map((s) => [s._id, s.lastModified]));
    const gone = records.filter((r) => !seen.has(r.sessionId)).map((r) => r._id);
    if (gone.length > 0) await this.records.deleteMany({ _id: { $in: gone }, userId });
    return records
      .filter((r) => seen.has(r.sessionId))
      .map((r) => ({
        id: r._id,
        browser: r.browser,
        network: r.network,
        method: r.method,
        signedInAt: r.signedInAt.toISOString(),
        lastSeenAt: new Date(Math.max(r.signedInAt.getTime(), seen.get(r.sessionId)?.getTime() ?? 0)).toISOString(),
        current: r.sessionId === currentSessionId,
      }));
  }

  /** Ends one of the user's sessions (only the user's: the filter holds the user id); null when there is none. */
  async endOne(userId: string, handle: string): Promise<SessionRecord | null> {
    const record = await this.records.findOneAndDelete({ _id: handle, userId });
    if (record) await this.sessions.deleteOne({ _id: record.sessionId });
    return record;
  }

  /**
   * Ends every session of the user but `except` (this request's session id, when given), at the
   * password stage or past it; returns how many ended. For a password change, "Sign out other
   * sessions", and a password reset.
   */
  async endAll(userId: string, except?: { sessionId: string; handle?: string }): Promise<number> {
    await this.ensureIndexes();
    await this.records.deleteMany(except?.handle ? { userId, _id: { $ne: except.handle } } : { userId });
    const filter = except ? { 'session.login.userId': userId, _id: { $ne: except.sessionId } } : { 'session.login.userId': userId };
    return (await this.sessions.deleteMany(filter)).deletedCount;
  }
}
