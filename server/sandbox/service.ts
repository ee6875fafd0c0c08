// What the sandbox does, independent of HTTP: users, codes, soft tokens, push requests and
// phone verifications. No transactions (FerretDB v1 has none), and no reliance on conditional
// updates being atomic (on FerretDB v1 they are not: two concurrent findOneAndUpdate with the
// same condition can both match). Whatever must happen once — using a code or a time step,
// answering a push request, a verification try — is decided by inserting a claim with a unique
// _id (db/claim.ts), which has exactly one winner on both databases.
import { randomInt, randomUUID } from 'node:crypto';
import { trusted, type Types } from 'mongoose';
import type { ApprovalStatus } from '../../common/approval-status';
import { claimOnce } from '../db/claim';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Logger } from '../platform/logger';
import { safeEqual } from '../platform/safe-equal';
import { buildCallback, sendCallback } from './callback';
import { errors } from './errors';
import type { Channel, Pair, SandboxApproval, SandboxCode, SandboxModels, SandboxUser, SandboxVerification } from './models';
import { displayPhone, maskCellphone } from './phone';
import { newTotpSecret, useTotpStep } from './totp';

export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const SMS_CODE_LENGTH = 7;
export const VERIFICATION_MAX_ATTEMPTS = 5;
export const DEFAULT_APPROVAL_TTL_S = 86_400;
/** An approval request stays readable (as "expired", say) this long after its ttl. */
export const APPROVAL_RETENTION_MS = 24 * 60 * 60 * 1000;
/** ttl 0 means "never expires" (as authy-client documents it): a century will do. */
const NEVER_MS = 100 * 365 * 24 * 60 * 60 * 1000;
const MAX_AUTHY_ID_TRIES = 5;

type WithId<T> = T & { _id: Types.ObjectId };

export interface ServiceOptions {
  models: SandboxModels;
  apiKey: string;
  callbackUrl: string;
  logger: Logger;
  now: () => Date;
}

const gt = (d: Date) => trusted({ $gt: d });

/** n random digits from the CSPRNG, leading zeros kept. */
export function randomDigits(n: number): string {
  return String(randomInt(0, 10 ** n)).padStart(n, '0');
}

export function effectiveStatus(a: Pick<SandboxApproval, 'status' | 'pendingUntil'>, now: Date): ApprovalStatus {
  return a.status === 'pending' && now.getTime() >= a.pendingUntil.getTime() ? 'expired' : a.status;
}

export class SandboxService {
  readonly customerUuid = randomUUID();

  constructor(private readonly o: ServiceOptions) {}

  private get m() {
    return this.o.models;
  }

  /** The sandbox's clock (injectable for tests). */
  clock(): Date {
    return this.o.now();
  }

  // ---- users -------------------------------------------------------------------------------

  /** Registers a user, or returns the one already registered with this phone (as Authy does). */
  async registerUser(u: { email: string; countryCode: string; cellphone: string }): Promise<SandboxUser> {
    for (let i = 0; i < MAX_AUTHY_ID_TRIES; i++) {
      const existing = await this.m.users.findOne({ countryCode: u.countryCode, cellphone: u.cellphone }).lean();
      if (existing) return existing;
      try {
        const created = await this.m.users.create({
          ...u,
          authyId: String(randomInt(10_000_000, 1_000_000_000)),
          secret: newTotpSecret(),
          totpLastStep: 0,
          deviceUuid: randomUUID(),
          createdAt: this.clock(),
        });
        this.o.logger.info(`[sandbox] new user: Authy ID ${created.authyId}, ${displayPhone(u.countryCode, u.cellphone)}`);
        return created.toObject();
      } catch (err) {
        // A clash on the phone (a concurrent registration) or, rarely, on the random id: look again.
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw errors.internal();
  }

  async findUser(authyId: string): Promise<WithId<SandboxUser> | null> {
    if (!/^\d{1,15}$/.test(authyId)) return null;
    return this.m.users.findOne({ authyId }).lean<WithId<SandboxUser>>();
  }

  async requireUser(authyId: string): Promise<WithId<SandboxUser>> {
    const user = await this.findUser(authyId);
    if (!user) throw errors.userNotFound();
    return user;
  }

  // ---- SMS and voice codes -----------------------------------------------------------------

  async sendCode(authyId: string, channel: Channel): Promise<{ cellphone: string }> {
    const user = await this.requireUser(authyId);
    const now = this.clock();
    const code = randomDigits(SMS_CODE_LENGTH);
    const to = displayPhone(user.countryCode, user.cellphone);
    await this.m.codes.create({
      authyId,
      code,
      channel,
      to,
      sentAt: now,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
      usedAt: null,
    });
    this.logSend(channel, to, code, '2fa');
    return { cellphone: maskCellphone(user.countryCode, user.cellphone) };
  }

  private logSend(channel: Channel, to: string, code: string, purpose: '2fa' | 'verification') {
    this.o.logger.info({ purpose }, `[sandbox] ${channel === 'sms' ? 'SMS' : 'Call'} to ${to}: ${code}`);
  }

  private claim(id: string, expiresAt: Date): Promise<boolean> {
    return claimOnce(this.m.claims, id, expiresAt);
  }

  /** True when `token` is a live SMS/voice code or a fresh TOTP of the user's; each is accepted once. */
  async verifyToken(authyId: string, token: string): Promise<boolean> {
    const user = await this.requireUser(authyId);
    if (!/^\d{6,10}$/.test(token)) return false;
    const now = this.clock();

    if (token.length === SMS_CODE_LENGTH) {
      const live = await this.m.codes.findOne({ authyId, code: token, usedAt: null, expiresAt: gt(now) }).lean<WithId<SandboxCode>>();
      if (live) {
        if (!(await this.claim(`code:${live._id.toHexString()}`, live.expiresAt))) return false;
        await this.m.codes.updateOne({ _id: live._id }, { $set: { usedAt: now } });
        return true;
      }
    }
    return this.useTotpStep(user, token, now);
  }

  /** A TOTP within ±1 step, newer than the last one used, accepted once (totp.ts). */
  private async useTotpStep(user: WithId<SandboxUser>, token: string, now: Date): Promise<boolean> {
    const claim = (id: string, until: Date) => this.claim(id, until);
    const step = await useTotpStep(claim, user._id.toHexString(), user.secret, token, now, user.totpLastStep);
    if (step === null) return false;
    // The last step used, for display and as a first filter (monotonic on MongoDB; best effort on FerretDB).
    await this.m.users.updateOne({ _id: user._id, totpLastStep: trusted({ $lt: step }) }, { $set: { totpLastStep: step } });
    return true;
  }

  // ---- push (OneTouch) ---------------------------------------------------------------------

  async createApproval(
    authyId: string,
    req: { message: string; details: Pair[]; hiddenDetails: Pair[]; secondsToExpire?: number },
  ): Promise<SandboxApproval> {
    await this.requireUser(authyId);
    const now = this.clock();
    const ttl = req.secondsToExpire ?? DEFAULT_APPROVAL_TTL_S;
    const pendingUntil = new Date(now.getTime() + (ttl === 0 ? NEVER_MS : ttl * 1000));
    const created = await this.m.approvals.create({
      uuid: randomUUID(),
      authyId,
      message: req.message,
      details: req.details,
      hiddenDetails: req.hiddenDetails,
      status: 'pending',
      secondsToExpire: ttl,
      createdAt: now,
      updatedAt: now,
      processedAt: null,
      pendingUntil,
      expiresAt: new Date(pendingUntil.getTime() + APPROVAL_RETENTION_MS),
    });
    this.o.logger.info(`[sandbox] Push to Authy ID ${authyId}: "${req.message}" (approve or deny it on /sandbox)`);
    return created.toObject();
  }

  async findApproval(uuid: string): Promise<WithId<SandboxApproval> | null> {
    if (uuid.length > 64) return null;
    return this.m.approvals.findOne({ uuid, expiresAt: gt(this.clock()) }).lean<WithId<SandboxApproval>>();
  }

  /**
   * Moves a pending, unexpired request to approved or denied — once: only the caller that claims
   * the answer writes it — then POSTs the signed callback. 'not-found' or 'not-pending' when it cannot.
   */
  async decide(uuid: string, status: 'approved' | 'denied'): Promise<'ok' | 'not-found' | 'not-pending'> {
    const now = this.clock();
    const approval = await this.findApproval(uuid);
    if (!approval) return 'not-found';
    if (effectiveStatus(approval, now) !== 'pending') return 'not-pending';
    if (!(await this.claim(`approval:${uuid}`, approval.expiresAt))) return 'not-pending';
    await this.m.approvals.updateOne({ _id: approval._id }, { $set: { status, processedAt: now, updatedAt: now } });

    this.o.logger.info(`[sandbox] push request ${uuid} ${status}`);
    const user = await this.findUser(approval.authyId);
    const message = buildCallback({
      apiKey: this.o.apiKey,
      callbackUrl: this.o.callbackUrl,
      approval: { ...approval, status, processedAt: now, updatedAt: now },
      deviceUuid: user?.deviceUuid ?? randomUUID(),
      customerUuid: this.customerUuid,
      now,
    });
    await sendCallback(this.o.callbackUrl, message, this.o.logger);
    return 'ok';
  }

  // ---- phone verification ------------------------------------------------------------------

  async startVerification(p: { countryCode: string; phone: string; via: Channel; codeLength: number }): Promise<string> {
    const now = this.clock();
    const to = displayPhone(p.countryCode, p.phone);
    const code = randomDigits(p.codeLength);
    await this.m.verifications.create({
      phoneKey: `${p.countryCode}:${p.phone}`,
      to,
      channel: p.via,
      code,
      sentAt: now,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
      attempts: 0,
      verifiedAt: null,
    });
    this.logSend(p.via, to, code, 'verification');
    return to;
  }

  /**
   * Checks against the latest live verification of the phone. Every try counts, 5 at most: a try
   * is the claim of the next free try number, and success is the claim of the verification.
   */
  async checkVerification(p: { countryCode: string; phone: string; code: string }): Promise<void> {
    const now = this.clock();
    const to = displayPhone(p.countryCode, p.phone);
    const latest = await this.m.verifications
      .findOne({ phoneKey: `${p.countryCode}:${p.phone}`, expiresAt: gt(now) })
      .sort({ sentAt: -1, _id: -1 })
      .lean<WithId<SandboxVerification>>();
    if (!latest || latest.verifiedAt) throw errors.noPendingVerification(to);

    const id = `verification:${latest._id.toHexString()}`;
    let attempt = 0;
    for (let k = latest.attempts + 1; k <= VERIFICATION_MAX_ATTEMPTS && attempt === 0; k++) {
      if (await this.claim(`${id}:try:${k}`, latest.expiresAt)) attempt = k;
    }
    if (attempt === 0) throw errors.maxAttempts();
    await this.m.verifications.updateOne({ _id: latest._id }, { $max: { attempts: attempt } });

    if (!safeEqual(p.code, latest.code)) throw errors.verificationIncorrect();
    if (!(await this.claim(`${id}:ok`, latest.expiresAt))) throw errors.noPendingVerification(to);
    await this.m.verifications.updateOne({ _id: latest._id }, { $set: { verifiedAt: now } });
  }

  // ---- views -------------------------------------------------------------------------------

  async inbox(limit = 50) {
    const now = this.clock();
    const [codes, verifications] = await Promise.all([
      this.m.codes
        .find({ expiresAt: gt(now) })
        .sort({ sentAt: -1 })
        .limit(limit)
        .lean(),
      this.m.verifications
        .find({ expiresAt: gt(now) })
        .sort({ sentAt: -1 })
        .limit(limit)
        .lean(),
    ]);
    return [
      ...codes.map((c) => ({ to: c.to, channel: c.channel, purpose: '2fa' as const, code: c.code, sentAt: c.sentAt, authyId: c.authyId })),
      ...verifications.map((v) => ({
        to: v.to,
        channel: v.channel,
        purpose: 'verification' as const,
        code: v.code,
        sentAt: v.sentAt,
        authyId: undefined,
      })),
    ]
      .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())
      .slice(0, limit);
  }

  async approvals(limit = 50) {
    const now = this.clock();
    const list = await this.m.approvals
      .find({ expiresAt: gt(now) })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean();
    return list.map((a) => ({ ...a, effectiveStatus: effectiveStatus(a, now) }));
  }

  async users(limit = 10) {
    return this.m.users.find({}).sort({ createdAt: -1 }).limit(limit).lean();
  }
}
