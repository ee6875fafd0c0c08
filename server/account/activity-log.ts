// The activity log: each user's security events (sign-ins and how, lockouts, changes of password,
// phone, factors and passkeys, password resets, recovery codes, remembered browsers, sessions ended), with the
// time, the browser's short name and the client's network, never a whole address, code, token
// or hash. Events are kept ACTIVITY_KEPT_MS (a TTL index on MongoDB, the sweeper on FerretDB);
// the account page shows the newest ACTIVITY_SHOWN.
import { ObjectId, type Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { ACTIVITY_SHOWN, type ActivityEvent, type ActivityType, type SignInMethod } from '../../common/account-api';
import { claimOnce, claimsExpiry, claimsModel } from '../db/claim';
import type { ExpirySpec } from '../db/expiry';

const ACTIVITY_COLLECTION = 'account_activity';
/** "Only once" for events that could repeat (a lockout is noted once per window). */
const ONCE_COLLECTION = 'account_activity_once';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [
  { collection: ACTIVITY_COLLECTION, field: 'expiresAt' },
  claimsExpiry(ONCE_COLLECTION),
];

export const ACTIVITY_KEPT_MS = 90 * 24 * 60 * 60 * 1000;

/** What happened, with what people need to read it (a passkey's name, a masked number, a count). */
export type NewEvent =
  | { type: 'signed-in'; method: SignInMethod }
  | { type: 'locked-out'; what: 'codes' | 'passwords' }
  | { type: 'password-reset'; sessions: number; browsers: number }
  | { type: 'password-changed' | 'authenticator-set-up' | 'authenticator-reset' | 'browser-remembered' }
  | { type: 'phone-changed'; phone: string }
  | { type: 'passkey-added' | 'passkey-removed'; name: string }
  | { type: 'recovery-codes-generated'; first: boolean }
  | { type: 'recovery-code-used'; remaining: number }
  | { type: 'browser-forgotten' | 'session-ended'; browser: string }
  | { type: 'browsers-forgotten' | 'other-sessions-ended'; count: number };

/** Where an event came from. */
export interface Origin {
  browser: string;
  network: string;
}

interface StoredEvent extends Origin {
  /** An ObjectId: increasing, so events of the same millisecond keep their order. */
  _id: ObjectId;
  userId: string;
  at: Date;
  type: ActivityType;
  /** The event's particulars (NewEvent without `type`). */
  detail: Record<string, string | number | boolean>;
  expiresAt: Date;
}

const SIGN_IN_WORDS: Record<SignInMethod, string> = {
  code: 'Signed in with the password and a code',
  push: 'Signed in with the password and a push approval',
  passkey: 'Signed in with the password and a passkey',
  'recovery-code': 'Signed in with the password and a recovery code',
  'passkey-alone': 'Signed in with a passkey alone',
  'remembered-browser': 'Signed in with the password on a remembered browser (no second factor)',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The sentence the account page shows for an event. */
export function describe(event: NewEvent): string {
  switch (event.type) {
    case 'signed-in':
      return SIGN_IN_WORDS[event.method];
    case 'locked-out':
      return event.what === 'codes'
        ? 'Second factor locked for a while: too many wrong codes'
        : 'Password logins locked for a while: too many wrong passwords';
    case 'password-changed':
      return 'Password changed: other sessions signed out, remembered browsers forgotten';
    case 'password-reset':
      return `Password reset by an emailed link: ${plural(event.sessions, 'session')} signed out, ${plural(event.browsers, 'remembered browser')} forgotten`;
    case 'phone-changed':
      return `Phone number changed to ${event.phone}`;
    case 'authenticator-set-up':
      return 'Authenticator app set up';
    case 'authenticator-reset':
      return 'Authenticator app reset: codes of the old one no longer work';
    case 'passkey-added':
      return `Passkey “${event.name}” added`;
    case 'passkey-removed':
      return `Passkey “${event.name}” removed`;
    case 'recovery-codes-generated':
      return event.first ? 'Recovery codes made' : 'New recovery codes made: the old ones no longer work';
    case 'recovery-code-used':
      return `Recovery code used (${plural(event.remaining, 'code')} left)`;
    case 'browser-remembered':
      return 'This browser remembered: the password alone signs in on it';
    case 'browser-forgotten':
      return `Remembered browser forgotten: ${event.browser}`;
    case 'browsers-forgotten':
      return `Every remembered browser forgotten (${event.count})`;
    case 'session-ended':
      return `Signed out a session: ${event.browser}`;
    case 'other-sessions-ended':
      return `Signed out ${plural(event.count, 'other session')}`;
  }
}

export class ActivityLog {
  private readonly events: Collection<StoredEvent>;
  private readonly once;
  private indexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.events = connection.collection<StoredEvent>(ACTIVITY_COLLECTION);
    this.once = claimsModel(connection, ONCE_COLLECTION);
  }

  async record(userId: string, event: NewEvent, origin: Origin): Promise<void> {
    this.indexed ??= this.events.createIndex({ userId: 1, at: -1 });
    await this.indexed;
    const at = new Date(this.now());
    const { type, ...detail } = event;
    await this.events.insertOne({
      _id: new ObjectId(),
      userId,
      at,
      type,
      detail,
      browser: origin.browser,
      network: origin.network,
      expiresAt: new Date(at.getTime() + ACTIVITY_KEPT_MS),
    });
  }

  /** Records `event` unless an event with the same `onceId` was recorded before `until`. */
  async recordOnce(onceId: string, until: Date, userId: string, event: NewEvent, origin: Origin): Promise<void> {
    if (await claimOnce(this.once, onceId, until)) await this.record(userId, event, origin);
  }

  /** The user's newest events, newest first (only theirs: the filter is the user id). */
  async list(userId: string): Promise<ActivityEvent[]> {
    const stored = await this.events
      .find({ userId, expiresAt: { $gt: new Date(this.now()) } })
      .sort({ at: -1, _id: -1 })
      .limit(ACTIVITY_SHOWN)
      .toArray();
    return stored.map((e) => ({
      at: e.at.toISOString(),
      type: e.type,
      description: describe({ type: e.type, ...e.detail } as NewEvent),
      browser: e.browser,
      network: e.network,
    }));
  }
}
