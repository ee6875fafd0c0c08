// Attempt limits kept in MongoDB, so every app process shares them (SPEC §8). Each counter is
// one document {_id: key, count, expiresAt}: a fixed window that starts with the first attempt.
// Updates are single-document and atomic; no transaction, so FerretDB works too.
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { HttpError } from './errors';

export interface Limit {
  name: string;
  max: number;
  windowMs: number;
}

const MINUTE = 60_000;
export const LIMITS = {
  /** Wrong tokens per user, across all of that user's sessions. */
  tokenFailures: { name: 'token-failures', max: 5, windowMs: 15 * MINUTE },
  loginFailures: { name: 'login-failures', max: 5, windowMs: 15 * MINUTE },
  loginFailuresPerIp: { name: 'login-failures-ip', max: 100, windowMs: 24 * 60 * MINUTE },
  /** SMS, calls and push requests cost money: one budget per user for all three. */
  sends: { name: 'sends', max: 5, windowMs: 15 * MINUTE },
  phoneStarts: { name: 'phone-starts', max: 5, windowMs: 15 * MINUTE },
  phoneFailures: { name: 'phone-failures', max: 5, windowMs: 15 * MINUTE },
} satisfies Record<string, Limit>;

export const ATTEMPTS_COLLECTION = 'attempts';

interface Counter {
  _id: string;
  count: number;
  expiresAt: Date;
}

function tooMany(resetAt: Date, now: number): HttpError {
  const seconds = Math.max(1, Math.ceil((resetAt.getTime() - now) / 1000));
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return new HttpError(429, `Too many attempts. Please try again in ${wait}.`, undefined, { 'Retry-After': String(seconds) });
}

export class AttemptLimiter {
  private readonly counters: Collection<Counter>;

  constructor(
    connection: Connection,
    private readonly now: () => number = Date.now,
  ) {
    // The driver's collection: these filters use operators on purpose (mongoose's sanitizeFilter would defuse them).
    this.counters = connection.collection<Counter>(ATTEMPTS_COLLECTION) as unknown as Collection<Counter>;
  }

  private id(limit: Limit, key: string) {
    return `${limit.name}:${key}`;
  }

  /** Counts one attempt and returns the live window after it. */
  async hit(limit: Limit, key: string): Promise<Counter> {
    const _id = this.id(limit, key);
    for (;;) {
      const now = new Date(this.now());
      const live = await this.counters.findOneAndUpdate({ _id, expiresAt: { $gt: now } }, { $inc: { count: 1 } }, { returnDocument: 'after' });
      if (live) return live;
      try {
        // No live window: start one, replacing an expired one. If another process got there
        // first, the insert fails on the _id and the loop counts into its window instead.
        const fresh = await this.counters.findOneAndUpdate(
          { _id, expiresAt: { $lte: now } },
          { $set: { count: 1, expiresAt: new Date(now.getTime() + limit.windowMs) } },
          { upsert: true, returnDocument: 'after' },
        );
        if (fresh) return fresh;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
  }

  /** Throws 429 when the window already holds `max` attempts (the next one would be over). */
  async assertAllowed(limit: Limit, key: string): Promise<void> {
    const now = this.now();
    const counter = await this.counters.findOne({ _id: this.id(limit, key), expiresAt: { $gt: new Date(now) } });
    if (counter && counter.count >= limit.max) throw tooMany(counter.expiresAt, now);
  }

  /** Counts the attempt, then throws 429 if it went over the limit. */
  async hitOrThrow(limit: Limit, key: string): Promise<void> {
    const counter = await this.hit(limit, key);
    if (counter.count > limit.max) throw tooMany(counter.expiresAt, this.now());
  }
}
