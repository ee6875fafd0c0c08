// What the Verify sandbox does, independent of HTTP, for one Service: verifications (codes by
// SMS and call), entities with TOTP factors, and challenges (TOTP ones here, push ones in the
// shared push requests, which "the phone" answers). The clock, the claims, the inbox and the push
// requests are the sandbox's shared ones (../shared): whatever must happen once (a send or a
// check counted, a code or a time step used) is the insert of a claim.
import { randomBytes } from 'node:crypto';
import { trusted } from 'mongoose';
import { isDuplicateKey } from '../../db/duplicate-key';
import { safeEqual } from '../../platform/safe-equal';
import { randomDigits } from '../shared/codes';
import { laterThan, nextTry, type SandboxContext } from '../shared/context';
import { CODE_LIFETIME_MS, type Channel, type Inbox } from '../shared/inbox';
import { displayE164 } from '../shared/phone';
import type { PhoneHalf, SoftToken } from '../shared/phone-page';
import { postToApp } from '../shared/post-to-app';
import type { Answer, Field, PushRequest, PushRequests } from '../shared/push-requests';
import { newTotpSecret, otpauthUrl, useTotpCode } from '../shared/totp';
import { twilioErrors } from './errors';
import type { TotpChallenge, VerifyChallenge, VerifyEntity, VerifyFactor, VerifyModels, VerifyVerification } from './models';
import { signedWebhook, webhookParams } from './webhook';

export const MAX_SENDS = 5;
export const MAX_CHECKS = 5;
/** The Service's code length (Verify's default). */
export const VERIFY_CODE_LENGTH = 6;
export const DEFAULT_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MAX_CHALLENGE_TTL_MS = 60 * 60 * 1000;
/** A TOTP challenge stays readable this long after its expiration date (as push requests do). */
const CHALLENGE_RETENTION_MS = 24 * 60 * 60 * 1000;
/** The device factor "the phone" stands in for: what the Verify Push SDK would enrol. */
export const SANDBOX_DEVICE_NAME = 'Sandbox phone';

export interface VerifySandboxOptions {
  ctx: SandboxContext;
  models: VerifyModels;
  inbox: Inbox;
  pushRequests: PushRequests;
  accountSid: string;
  serviceSid: string;
  /** The app's Verify webhook (POST, signed with the auth token). */
  webhook: { url: string; authToken: string };
}

/** What Verify keeps with a push challenge besides the shared fields. */
export interface PushChallengeExtra {
  entitySid: string;
  factorSid: string;
}

export const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

/** A push challenge as Verify answers it. */
export function challengeOf(r: PushRequest<PushChallengeExtra>): VerifyChallenge {
  return {
    sid: r.id,
    serviceSid: r.scope ?? '',
    identity: r.account,
    entitySid: r.extra.entitySid,
    factorSid: r.extra.factorSid,
    factorType: 'push',
    status: r.status,
    message: r.message,
    fields: r.details,
    hiddenDetails: r.hiddenDetails ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    respondedAt: r.decidedAt,
    expirationDate: r.pendingUntil,
  };
}

export class VerifySandbox implements PhoneHalf {
  readonly provider = 'verify';
  readonly accountField = 'identity';

  readonly accountSid: string;
  readonly serviceSid: string;

  constructor(private readonly o: VerifySandboxOptions) {
    ({ accountSid: this.accountSid, serviceSid: this.serviceSid } = o);
  }

  now(): Date {
    return this.o.ctx.now();
  }

  private get m() {
    return this.o.models;
  }

  private get ctx() {
    return this.o.ctx;
  }

  // ---- verifications: codes by SMS and call ------------------------------------------------

  private findPending(to: string, now: Date) {
    return this.m.verifications
      .findOne({ serviceSid: this.o.serviceSid, to, status: 'pending', expiresAt: laterThan(now) })
      .sort({ createdAt: -1 })
      .lean<VerifyVerification>();
  }

  /** A new verification, or another send of the pending one (same code), at most 5 sends. */
  async startVerification(to: string, channel: Channel): Promise<VerifyVerification> {
    const now = this.now();
    const attempt = { attemptSid: newSid('VL'), channel, time: now };
    let verification = await this.findPending(to, now);
    if (verification) {
      if ((await nextTry(this.ctx, `verify-send:${verification.sid}`, 2, MAX_SENDS, verification.expiresAt)) === 0) {
        throw twilioErrors.maxSendAttempts();
      }
      await this.m.verifications.updateOne({ sid: verification.sid }, { $push: { sendCodeAttempts: attempt }, $set: { updatedAt: now } });
      verification = { ...verification, sendCodeAttempts: [...verification.sendCodeAttempts, attempt], updatedAt: now };
    } else {
      verification = (
        await this.m.verifications.create({
          sid: newSid('VE'),
          serviceSid: this.o.serviceSid,
          to,
          channel,
          code: randomDigits(VERIFY_CODE_LENGTH),
          status: 'pending',
          sendCodeAttempts: [attempt],
          createdAt: now,
          updatedAt: now,
          expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
        })
      ).toObject();
    }
    const { code, expiresAt } = verification;
    await this.o.inbox.deliver({ provider: 'verify', purpose: 'verify', to: displayE164(to), phone: to, channel, code, expiresAt });
    return verification;
  }

  /**
   * Checks a code against the pending verification of `to` (or `sid`). Every check counts, 5 at
   * most; a right one approves the verification, after which it is gone (20404) as in Verify.
   */
  async checkVerification(target: { to?: string; sid?: string }, code: string, path: string): Promise<VerifyVerification> {
    const now = this.now();
    const verification = target.sid
      ? await this.m.verifications
          .findOne({ serviceSid: this.o.serviceSid, sid: target.sid, status: 'pending', expiresAt: laterThan(now) })
          .lean<VerifyVerification>()
      : await this.findPending(target.to ?? '', now);
    if (!verification) throw twilioErrors.notFound(path);

    if ((await nextTry(this.ctx, `verify-check:${verification.sid}`, 1, MAX_CHECKS, verification.expiresAt)) === 0) {
      throw twilioErrors.maxCheckAttempts();
    }
    if (!safeEqual(code, verification.code)) return verification;
    if (!(await this.ctx.claim(`verify-ok:${verification.sid}`, verification.expiresAt))) throw twilioErrors.notFound(path);
    await this.m.verifications.updateOne({ sid: verification.sid }, { $set: { status: 'approved', updatedAt: now } });
    return { ...verification, status: 'approved', updatedAt: now };
  }

  // ---- entities and factors ----------------------------------------------------------------

  findEntity(identity: string) {
    return this.m.entities.findOne({ serviceSid: this.o.serviceSid, identity }).lean<VerifyEntity>();
  }

  /**
   * The entity, created with its first factor. A new entity also gets "the phone": a verified
   * push factor, as if the user had enrolled the Verify Push SDK's app (see docs/architecture.md).
   */
  private async ensureEntity(identity: string): Promise<VerifyEntity> {
    const existing = await this.findEntity(identity);
    if (existing) return existing;
    const now = this.now();
    try {
      const entity = (
        await this.m.entities.create({ sid: newSid('YE'), serviceSid: this.o.serviceSid, identity, createdAt: now })
      ).toObject();
      await this.addFactor(entity, { factorType: 'push', friendlyName: SANDBOX_DEVICE_NAME, status: 'verified' });
      return entity;
    } catch (err) {
      // A concurrent first factor created it.
      if (!isDuplicateKey(err)) throw err;
      const created = await this.findEntity(identity);
      if (!created) throw err;
      return created;
    }
  }

  /** A new, unverified TOTP factor; its secret and otpauth URI are returned this once (as `binding`). */
  async createTotpFactor(
    identity: string,
    friendlyName: string,
  ): Promise<{ factor: VerifyFactor; binding: { secret: string; uri: string } }> {
    const secret = newTotpSecret();
    const factor = await this.addFactor(await this.ensureEntity(identity), {
      factorType: 'totp',
      friendlyName,
      status: 'unverified',
      secret,
    });
    this.ctx.logger.info(`[sandbox] Verify TOTP factor ${factor.sid} for entity ${identity}: its QR code is on /sandbox`);
    return { factor, binding: { secret, uri: otpauthUrl(secret, friendlyName) } };
  }

  private async addFactor(entity: VerifyEntity, f: Pick<VerifyFactor, 'factorType' | 'friendlyName' | 'status' | 'secret'>) {
    const now = this.now();
    const { identity, sid: entitySid } = entity;
    const created = await this.m.factors.create({
      ...f,
      sid: newSid('YF'),
      serviceSid: this.o.serviceSid,
      identity,
      entitySid,
      totpLastStep: 0,
      createdAt: now,
      updatedAt: now,
    });
    return created.toObject();
  }

  async listFactors(identity: string, path: string): Promise<VerifyFactor[]> {
    if (!(await this.findEntity(identity))) throw twilioErrors.notFound(path);
    return this.m.factors.find({ serviceSid: this.o.serviceSid, identity }).sort({ createdAt: 1 }).lean<VerifyFactor[]>();
  }

  async findFactor(identity: string, sid: string, path: string): Promise<VerifyFactor> {
    const factor = await this.m.factors.findOne({ serviceSid: this.o.serviceSid, identity, sid }).lean<VerifyFactor>();
    if (!factor) throw twilioErrors.notFound(path);
    return factor;
  }

  async deleteFactor(identity: string, sid: string, path: string): Promise<void> {
    const deleted = await this.m.factors.deleteOne({ serviceSid: this.o.serviceSid, identity, sid });
    if (deleted.deletedCount !== 1) throw twilioErrors.notFound(path);
    this.ctx.logger.info(`[sandbox] Verify factor ${sid} deleted`);
  }

  /** A TOTP code of the factor's, accepted once (shared/totp.ts). */
  private async useCode(factor: VerifyFactor, code: string): Promise<boolean> {
    if (!factor.secret) return false;
    const holder = { owner: factor.sid, secret: factor.secret, lastStep: factor.totpLastStep };
    return useTotpCode(this.ctx, holder, code, (step) =>
      this.m.factors.updateOne({ sid: factor.sid, totpLastStep: trusted({ $lt: step }) }, { $set: { totpLastStep: step } }),
    );
  }

  /** The first right code verifies an unverified TOTP factor; a verified one is left as it is. */
  async verifyFactor(identity: string, sid: string, authPayload: string | undefined, path: string): Promise<VerifyFactor> {
    const factor = await this.findFactor(identity, sid, path);
    if (factor.status === 'verified' || authPayload === undefined) return factor;
    if (factor.factorType !== 'totp') throw twilioErrors.invalidParameter('AuthPayload');
    const now = this.now();
    if (!(await this.useCode(factor, authPayload))) return factor;
    await this.m.factors.updateOne({ sid }, { $set: { status: 'verified', updatedAt: now } });
    this.ctx.logger.info(`[sandbox] Verify TOTP factor ${sid} verified`);
    return { ...factor, status: 'verified', updatedAt: now };
  }

  // ---- challenges --------------------------------------------------------------------------

  /** A TOTP challenge (approved by a right code, stored here) or a push challenge (a push request for the phone). */
  async createChallenge(
    identity: string,
    input: {
      factorSid: string;
      authPayload?: string;
      message?: string;
      fields: Field[];
      hiddenDetails?: Field[];
      expirationDate?: Date;
    },
    path: string,
  ): Promise<VerifyChallenge> {
    const factor = await this.findFactor(identity, input.factorSid, path);
    if (factor.status !== 'verified') throw twilioErrors.factorUnverified();
    const now = this.now();
    const expirationDate = input.expirationDate ?? new Date(now.getTime() + DEFAULT_CHALLENGE_TTL_MS);
    const ttl = expirationDate.getTime() - now.getTime();
    if (ttl <= 0 || ttl > MAX_CHALLENGE_TTL_MS) throw twilioErrors.invalidParameter('ExpirationDate');
    const hiddenDetails = input.hiddenDetails ?? null;

    if (factor.factorType === 'push') {
      if (!input.message) throw twilioErrors.invalidDetails();
      const request = await this.o.pushRequests.create<PushChallengeExtra>(
        {
          id: newSid('YC'),
          provider: 'verify',
          account: identity,
          scope: this.o.serviceSid,
          message: input.message,
          details: input.fields,
          hiddenDetails,
          extra: { entitySid: factor.entitySid, factorSid: factor.sid },
        },
        expirationDate,
      );
      this.ctx.logger.info(`[sandbox] Verify push to entity ${identity}: "${input.message}" (approve or deny it on /sandbox)`);
      return challengeOf(request);
    }

    if (input.authPayload === undefined) throw twilioErrors.invalidParameter('AuthPayload');
    const approved = await this.useCode(factor, input.authPayload);
    const challenge: TotpChallenge = {
      sid: newSid('YC'),
      serviceSid: this.o.serviceSid,
      identity,
      entitySid: factor.entitySid,
      factorSid: factor.sid,
      factorType: 'totp',
      status: approved ? 'approved' : 'pending',
      message: null,
      fields: [],
      hiddenDetails,
      createdAt: now,
      updatedAt: now,
      respondedAt: approved ? now : null,
      expirationDate,
      expiresAt: new Date(expirationDate.getTime() + CHALLENGE_RETENTION_MS),
    };
    await this.m.challenges.create(challenge);
    return challenge;
  }

  /** A challenge of this Service's: a push request, or a TOTP challenge. */
  async fetchChallenge(identity: string, sid: string, path: string): Promise<VerifyChallenge> {
    const push = await this.o.pushRequests.find<PushChallengeExtra>('verify', sid, this.o.serviceSid);
    const challenge = push
      ? challengeOf(push)
      : await this.m.challenges
          .findOne({ serviceSid: this.o.serviceSid, sid, factorType: 'totp', expiresAt: laterThan(this.now()) })
          .lean<TotpChallenge>();
    if (!challenge || challenge.identity !== identity) throw twilioErrors.notFound(path);
    return challenge;
  }

  /** Verify's signed webhook, once the phone answered a push challenge of this account's. */
  async sendWebhook(request: PushRequest & { status: Answer }): Promise<void> {
    const challenge = challengeOf(request as PushRequest<PushChallengeExtra>);
    const factor = await this.m.factors.findOne({ sid: challenge.factorSid }).lean<VerifyFactor>();
    const params = webhookParams({
      accountSid: this.o.accountSid,
      challenge,
      factorName: factor?.friendlyName ?? SANDBOX_DEVICE_NAME,
      now: this.now(),
    });
    const { url, authToken } = this.o.webhook;
    await postToApp(signedWebhook(url, params, authToken), this.ctx.logger);
  }

  // ---- the phone page ----------------------------------------------------------------------

  /** The newest TOTP factors, each a soft token (with its status: unverified until the app's first code). */
  async softTokens(limit = 10): Promise<SoftToken[]> {
    const factors = await this.m.factors
      .find({ serviceSid: this.o.serviceSid, factorType: 'totp' })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<VerifyFactor[]>();
    return factors.map((f) => ({
      key: f.sid,
      account: f.identity,
      secret: f.secret ?? '',
      label: f.friendlyName,
      createdAt: f.createdAt,
      fields: { identity: f.identity, factor_sid: f.sid, name: f.friendlyName, status: f.status },
    }));
  }

  /** The soft token of an entity, by its identity. */
  async softTokenOf(identity: string) {
    const factor = await this.m.factors
      .findOne({ serviceSid: this.o.serviceSid, identity, factorType: 'totp' })
      .sort({ createdAt: -1 })
      .lean<VerifyFactor>();
    return factor?.secret ? { secret: factor.secret, label: factor.friendlyName } : null;
  }
}
