// Remembered browsers: after 2FA with "Remember this browser" ticked, the browser gets a cookie of
// its own (HttpOnly, SameSite=Lax, Secure and __Host- over https) holding a public handle and a
// random 256-bit token. The `remembered_browsers` collection keeps, under the handle, the user,
// the token's SHA-256 (never the token), the browser's short name, the network, and when it was
// first and last used; it expires after REMEMBER_BROWSER_DAYS. On that browser the right password
// completes the login without the second factor. The cookie proves nothing alone (the password
// is still checked first), it is worth nothing for another user, and an expired or forgotten one
// is refused and cleared. A fast hash is enough: a 256-bit token cannot be guessed from its hash.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { RememberedBrowser } from '../../common/account-api';
import type { ExpirySpec } from '../db/expiry';
import { readCookie } from '../http/cookies';
import { safeEqual } from '../platform/safe-equal';
import type { Origin } from './activity-log';

const COLLECTION = 'remembered_browsers';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [{ collection: COLLECTION, field: 'expiresAt' }];

const DAY_MS = 24 * 60 * 60 * 1000;
/** The handle and the token in the cookie, both base64url. */
const COOKIE_VALUE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
export const BROWSER_HANDLE = /^[A-Za-z0-9_-]{22}$/;

export const rememberCookieName = (secure: boolean) => (secure ? '__Host-asq.rb' : 'asq.rb');

interface RememberedRecord extends Origin {
  _id: string;
  userId: string;
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  firstUsedAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface RememberedBrowsersOptions {
  /** REMEMBER_BROWSER_DAYS; 0: nothing is remembered, and no cookie is honoured. */
  days: number;
  /** PUBLIC_URL is https: the cookie is Secure and __Host- prefixed. */
  secure: boolean;
  now: () => number;
}

export class RememberedBrowsers {
  private readonly browsers: Collection<RememberedRecord>;
  private readonly cookieName: string;
  private indexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly o: RememberedBrowsersOptions,
  ) {
    this.browsers = connection.collection<RememberedRecord>(COLLECTION);
    this.cookieName = rememberCookieName(o.secure);
  }

  get enabled(): boolean {
    return this.o.days > 0;
  }

  /** The handle and token this request's cookie carries, if it is well formed. */
  private cookieOf(req: Request): { handle: string; token: string } | undefined {
    const match = COOKIE_VALUE.exec(readCookie(req.headers.cookie, this.cookieName) ?? '');
    return match ? { handle: match[1], token: match[2] } : undefined;
  }

  private clearCookie(res: Response): void {
    res.clearCookie(this.cookieName, { httpOnly: true, sameSite: 'lax', secure: this.o.secure, path: '/' });
  }

  /** Remembers this browser for `userId` (in place of whatever its cookie held); returns the expiry. */
  async remember(req: Request, res: Response, userId: string, origin: Origin): Promise<Date> {
    this.indexed ??= this.browsers.createIndex({ userId: 1 });
    await this.indexed;
    const previous = this.cookieOf(req);
    if (previous) await this.browsers.deleteOne({ _id: previous.handle, userId });
    const handle = randomBytes(16).toString('base64url');
    const token = randomBytes(32).toString('base64url');
    const now = new Date(this.o.now());
    const expiresAt = new Date(now.getTime() + this.o.days * DAY_MS);
    await this.browsers.insertOne({
      _id: handle,
      userId,
      tokenHash: tokenHash(token),
      ...origin,
      firstUsedAt: now,
      lastUsedAt: now,
      expiresAt,
    });
    res.cookie(this.cookieName, `${handle}.${token}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.o.secure,
      path: '/',
      expires: expiresAt,
    });
    return expiresAt;
  }

  /**
   * After the right password for `userId`: whether this browser is remembered for that user. A
   * cookie that names nothing (forgotten), an expired one, or a wrong token is refused and cleared;
   * another user's is refused and kept for its owner.
   */
  async recognises(req: Request, res: Response, userId: string): Promise<boolean> {
    const cookie = this.cookieOf(req);
    if (!cookie) {
      if (readCookie(req.headers.cookie, this.cookieName) !== undefined) this.clearCookie(res);
      return false;
    }
    const record = this.enabled ? await this.browsers.findOne({ _id: cookie.handle }) : null;
    const now = this.o.now();
    if (!record || record.expiresAt.getTime() <= now || !safeEqual(tokenHash(cookie.token), record.tokenHash)) {
      if (record && record.expiresAt.getTime() <= now) await this.browsers.deleteOne({ _id: record._id });
      this.clearCookie(res);
      return false;
    }
    if (record.userId !== userId) return false;
    await this.browsers.updateOne({ _id: record._id }, { $set: { lastUsedAt: new Date(now) } });
    return true;
  }

  /** The user's remembered browsers (only theirs), most recently used first. */
  async list(req: Request, userId: string): Promise<RememberedBrowser[]> {
    const current = this.cookieOf(req)?.handle;
    const records = await this.browsers
      .find({ userId, expiresAt: { $gt: new Date(this.o.now()) } })
      .sort({ lastUsedAt: -1 })
      .toArray();
    return records.map((r) => ({
      id: r._id,
      browser: r.browser,
      network: r.network,
      firstUsedAt: r.firstUsedAt.toISOString(),
      lastUsedAt: r.lastUsedAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      current: r._id === current,
    }));
  }

  /** Forgets one of the user's browsers; its name, or null when the user has none with that handle. */
  async forget(req: Request, res: Response, userId: string, handle: string): Promise<string | null> {
    const record = await this.browsers.findOneAndDelete({ _id: handle, userId });
    if (record && this.cookieOf(req)?.handle === handle) this.clearCookie(res);
    return record?.browser ?? null;
  }

  /**
   * Forgets every browser remembered for the user; returns how many. For a password change, "Sign
   * out other sessions" and a password reset. With the request, this browser's cookie goes too.
   */
  async forgetAll(userId: string, here?: { req: Request; res: Response }): Promise<number> {
    const { deletedCount } = await this.browsers.deleteMany({ userId });
    const cookie = here && this.cookieOf(here.req);
    // This browser's cookie was one of them (not another user's, on a shared browser).
    if (here && cookie && !(await this.browsers.findOne({ _id: cookie.handle }, { projection: { _id: 1 } }))) this.clearCookie(here.res);
    return deletedCount;
  }
}
