// What the Verify sandbox does, independent of HTTP: verifications (codes by SMS and call),
// entities with TOTP factors, push challenges, and "the phone" answering them. As in the Authy
// sandbox, whatever must happen once (a send or a check counted, a code or a time step used, a
// challenge answered) is the insert of a claim, never a conditional update or a transaction.
import { randomBytes, randomUUID } from 'node:crypto';
import { trusted, type Model } from 'mongoose';
import { claimOnce, type Claim } from '../../db/claim';
import { isDuplicateKey } from '../../db/duplicate-key';
import type { Logger } from '../../platform/logger';
import { safeEqual } from '../../platform/safe-equal';
import { displayE164 } from '../phone';
import { randomDigits } from '../service';
import { newTotpSecret, otpauthUrl, useTotpStep } from '../totp';
import { twilioErrors } from './errors';
import type { DetailField, VerifyChallenge, VerifyChannel, VerifyEntity, VerifyFactor, VerifyModels, VerifyVerification } from './models';
import { sendWebhook } from './webhook';

export const VERIFICATION_LIFETIME_MS = 10 * 60 * 1000;
export const MAX_SENDS = 5;
export const MAX_CHECKS = 5;
/** The Service's code length (Verify's default). */
export const VERIFY_CODE_LENGTH = 6;
export const DEFAULT_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MAX_CHALLENGE_TTL_MS = 60 * 60 * 1000;
/** A challenge stays readable (as "expired", say) this long after its expiration date. */
const CHALLENGE_RETENTION_MS = 24 * 60 * 60 * 1000;
/** The device factor "the phone" stands in for: what the Verify Push SDK would enrol. */
export const SANDBOX_DEVICE_NAME = 'Sandbox phone';

export interface VerifySandboxOptions {
  models: VerifyModels;
  claims: Model<Claim>;
  accountSid: string;
  authToken: string;
  serviceSid: string;
  /** The app's Verify webhook (POST, signed with the auth token). */
  webhookUrl: string;
  logger: Logger;
  now: () => Date;
}

export type ChallengeStatus = VerifyChallenge['status'] | 'expired';

export const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export function challengeStatus(c: Pick<VerifyChallenge, 'status' | 'expirationDate'>, now: Date): ChallengeStatus {
  return c.status === 'pending' && now.getTime() >= c.expirationDate.getTime() ? 'expired' : c.status;
}

const gt = (d: Date) => trusted({ $gt: d });

export class VerifySandbox {
  constructor(private readonly o: VerifySandboxOptions) {}

  get accountSid() {
    return this.o.accountSid;
  }

  get serviceSid() {
    return this.o.serviceSid;
  }

  clock(): Date {
    return this.o.now();
  }

  private get m() {
    return this.o.models;
  }

  private claim(id: string, expiresAt: Date): Promise<boolean> {
    return claimOnce(this.o.claims, id, expiresAt);
  }

  // ---- verifications: codes by SMS and call ------------------------------------------------

  private findPending(to: string, now: Date) {
    return this.m.verifications
      .findOne({ serviceSid: this.o.serviceSid, to, status: 'pending', expiresAt: gt(now) })
      .sort({ createdAt: -1 })
      .lean<VerifyVerification>();
  }

  /** A new verification, or another send of the pending one (same code), at most 5 sends. */
  async startVerification(to: string, channel: VerifyChannel): Promise<VerifyVerification> {
    const now = this.clock();
    const attempt = { attemptSid: newSid('VL'), channel, time: now };
    let verification = await this.findPending(to, now);
    if (verification) {
      let send = 0;
      for (let k = 2; k <= MAX_SENDS && send === 0; k++) {
        if (await this.claim(`verify-send:${verification.sid}:${k}`, verification.expiresAt)) send = k;
      }
      if (send === 0) throw twilioErrors.maxSendAttempts();
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
          expiresAt: new Date(now.getTime() + VERIFICATION_LIFETIME_MS),
        })
      ).toObject();
    }
    await this.m.messages.create({
      verificationSid: verification.sid,
      to,
      channel,
      code: verification.code,
      sentAt: now,
      expiresAt: verification.expiresAt,
    });
    this.o.logger.info(
      { purpose: 'verify' },
      `[sandbox] Verify ${channel === 'sms' ? 'SMS' : 'call'} to ${displayE164(to)}: ${verification.code}`,
    );
    return verification;
  }

  /**
   * Checks a code against the pending verification of `to` (or `sid`). Every check counts, 5 at
   * most; a right one approves the verification, after which it is gone (20404) as in Verify.
   */
  async checkVerification(target: { to?: string; sid?: string }, code: string, path: string): Promise<VerifyVerification> {
    const now = this.clock();
    const verification = target.sid
      ? await this.m.verifications
          .findOne({ serviceSid: this.o.serviceSid, sid: target.sid, status: 'pending', expiresAt: gt(now) })
          .lean<VerifyVerification>()
      : await this.findPending(target.to ?? '', now);
    if (!verification) throw twilioErrors.notFound(path);

    let check = 0;
    for (let k = 1; k <= MAX_CHECKS && check === 0; k++) {
      if (await this.claim(`verify-check:${verification.sid}:${k}`, verification.expiresAt)) check = k;
    }
    if (check === 0) throw twilioErrors.maxCheckAttempts();
    if (!safeEqual(code, verification.code)) return verification;
    if (!(await this.claim(`verify-ok:${verification.sid}`, verification.expiresAt))) throw twilioErrors.notFound(path);
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
    const now = this.clock();
    try {
      const entity = (
        await this.m.entities.create({ sid: newSid('YE'), serviceSid: this.o.serviceSid, identity, createdAt: now })
      ).toObject();
      await this.m.factors.create({
        sid: newSid('YF'),
        serviceSid: this.o.serviceSid,
        identity,
        entitySid: entity.sid,
        factorType: 'push',
        friendlyName: SANDBOX_DEVICE_NAME,
        status: 'verified',
        totpLastStep: 0,
        createdAt: now,
        updatedAt: now,
      });
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
    const entity = await this.ensureEntity(identity);
    const now = this.clock();
    const secret = newTotpSecret();
    const factor = (
      await this.m.factors.create({
        sid: newSid('YF'),
        serviceSid: this.o.serviceSid,
        identity,
        entitySid: entity.sid,
        factorType: 'totp',
        friendlyName,
        status: 'unverified',
        secret,
        totpLastStep: 0,
        createdAt: now,
        updatedAt: now,
      })
    ).toObject();
    this.o.logger.info(`[sandbox] Verify TOTP factor ${factor.sid} for entity ${identity}: its QR code is on /sandbox`);
    return { factor, binding: { secret, uri: otpauthUrl(secret, friendlyName) } };
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
    this.o.logger.info(`[sandbox] Verify factor ${sid} deleted`);
  }

  /** A TOTP code of the factor's, accepted once (the Authy sandbox's rule). */
  private async useCode(factor: VerifyFactor, code: string, now: Date): Promise<boolean> {
    if (!factor.secret) return false;
    const step = await useTotpStep((id, until) => this.claim(id, until), factor.sid, factor.secret, code, now, factor.totpLastStep);
    if (step === null) return false;
    await this.m.factors.updateOne({ sid: factor.sid, totpLastStep: trusted({ $lt: step }) }, { $set: { totpLastStep: step } });
    return true;
  }

  /** The first right code verifies an unverified TOTP factor; a verified one is left as it is. */
  async verifyFactor(identity: string, sid: string, authPayload: string | undefined, path: string): Promise<VerifyFactor> {
    const factor = await this.findFactor(identity, sid, path);
    if (factor.status === 'verified' || authPayload === undefined) return factor;
    if (factor.factorType !== 'totp') throw twilioErrors.invalidParameter('AuthPayload');
    const now = this.clock();
    if (!(await this.useCode(factor, authPayload, now))) return factor;
    await this.m.factors.updateOne({ sid }, { $set: { status: 'verified', updatedAt: now } });
    this.o.logger.info(`[sandbox] Verify TOTP factor ${sid} verified`);
    return { ...factor, status: 'verified', updatedAt: now };
  }

  // ---- challenges --------------------------------------------------------------------------

  async createChallenge(
    identity: string,
    input: {
      factorSid: string;
      authPayload?: string;
      message?: string;
      fields: DetailField[];
      hiddenDetails?: string;
      expirationDate?: Date;
    },
    path: string,
  ): Promise<VerifyChallenge> {
    const factor = await this.findFactor(identity, input.factorSid, path);
    if (factor.status !== 'verified') throw twilioErrors.factorUnverified();
    const now = this.clock();
    const expirationDate = input.expirationDate ?? new Date(now.getTime() + DEFAULT_CHALLENGE_TTL_MS);
    const ttl = expirationDate.getTime() - now.getTime();
    if (ttl <= 0 || ttl > MAX_CHALLENGE_TTL_MS) throw twilioErrors.invalidParameter('ExpirationDate');

    let status: VerifyChallenge['status'] = 'pending';
    if (factor.factorType === 'totp') {
      if (input.authPayload === undefined) throw twilioErrors.invalidParameter('AuthPayload');
      if (await this.useCode(factor, input.authPayload, now)) status = 'approved';
    } else if (!input.message) {
      throw twilioErrors.invalidDetails();
    }
    const challenge = (
      await this.m.challenges.create({
        sid: newSid('YC'),
        serviceSid: this.o.serviceSid,
        identity,
        entitySid: factor.entitySid,
        factorSid: factor.sid,
        factorType: factor.factorType,
        status,
        message: factor.factorType === 'push' ? input.message : null,
        fields: factor.factorType === 'push' ? input.fields : [],
        hiddenDetails: input.hiddenDetails ?? null,
        createdAt: now,
        updatedAt: now,
        respondedAt: status === 'approved' ? now : null,
        expirationDate,
        expiresAt: new Date(expirationDate.getTime() + CHALLENGE_RETENTION_MS),
      })
    ).toObject();
    if (factor.factorType === 'push') {
      this.o.logger.info(`[sandbox] Verify push to entity ${identity}: "${input.message}" (approve or deny it on /sandbox)`);
    }
    return challenge;
  }

  async findChallenge(sid: string): Promise<VerifyChallenge | null> {
    return this.m.challenges.findOne({ serviceSid: this.o.serviceSid, sid, expiresAt: gt(this.clock()) }).lean<VerifyChallenge>();
  }

  async fetchChallenge(identity: string, sid: string, path: string): Promise<VerifyChallenge> {
    const challenge = await this.findChallenge(sid);
    if (!challenge || challenge.identity !== identity) throw twilioErrors.notFound(path);
    return challenge;
  }

  /**
   * "The phone" answers a pending push challenge — once: only the caller that claims the answer
   * writes it — then Verify's signed webhook goes to the app.
   */
  async decide(sid: string, status: 'approved' | 'denied'): Promise<'ok' | 'not-found' | 'not-pending'> {
    const now = this.clock();
    const challenge = await this.findChallenge(sid);
    if (!challenge || challenge.factorType !== 'push') return 'not-found';
    if (challengeStatus(challenge, now) !== 'pending') return 'not-pending';
    if (!(await this.claim(`verify-challenge:${sid}`, challenge.expiresAt))) return 'not-pending';
    await this.m.challenges.updateOne({ sid }, { $set: { status, respondedAt: now, updatedAt: now } });
    this.o.logger.info(`[sandbox] Verify push challenge ${sid} ${status}`);

    const factor = await this.m.factors.findOne({ sid: challenge.factorSid }).lean<VerifyFactor>();
    await sendWebhook(this.o.webhookUrl, this.webhookParams({ ...challenge, status }, factor, now), this.o.authToken, this.o.logger);
    return 'ok';
  }

  /** The webhook's form parameters for a challenge event (version v2; JSON values as text). */
  webhookParams(challenge: VerifyChallenge, factor: VerifyFactor | null, now: Date): Record<string, string> {
    return {
      uuid: randomUUID(),
      type: `challenge.${challenge.status}`,
      account_sid: this.o.accountSid,
      service_sid: this.o.serviceSid,
      entity_identity: challenge.identity,
      factor_sid: challenge.factorSid,
      factor_type: challenge.factorType,
      factor_friendly_name: factor?.friendlyName ?? SANDBOX_DEVICE_NAME,
      challenge_sid: challenge.sid,
      challenge_details: JSON.stringify({ message: challenge.message, date: now.toISOString(), fields: challenge.fields }),
      challenge_hidden_details: challenge.hiddenDetails ?? '{}',
      challenge_metadata: '{}',
      factor_metadata: '{}',
    };
  }

  // ---- views -------------------------------------------------------------------------------

  async inbox(limit = 50) {
    return this.m.messages
      .find({ expiresAt: gt(this.clock()) })
      .sort({ sentAt: -1 })
      .limit(limit)
      .lean();
  }

  async totpFactors(limit = 10) {
    return this.m.factors
      .find({ serviceSid: this.o.serviceSid, factorType: 'totp' })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<VerifyFactor[]>();
  }

  async totpFactorOf(identity: string): Promise<VerifyFactor | null> {
    return this.m.factors
      .findOne({ serviceSid: this.o.serviceSid, identity, factorType: 'totp' })
      .sort({ createdAt: -1 })
      .lean<VerifyFactor>();
  }

  async pushChallenges(limit = 50) {
    const now = this.clock();
    const list = await this.m.challenges
      .find({ factorType: 'push', expiresAt: gt(now) })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<VerifyChallenge[]>();
    return list.map((c) => ({ ...c, effectiveStatus: challengeStatus(c, now) }));
  }
}
