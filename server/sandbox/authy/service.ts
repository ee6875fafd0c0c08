// What the Authy sandbox does, independent of HTTP: users, codes, soft tokens, approval requests
// and phone verifications. The clock, the claims, the inbox and the push requests are the
// sandbox's shared ones (../shared): whatever must happen once is the insert of a claim.
import { randomInt, randomUUID } from 'node:crypto';
import { trusted, type Types } from 'mongoose';
import { isDuplicateKey } from '../../db/duplicate-key';
import { safeEqual } from '../../platform/safe-equal';
import { randomDigits } from '../shared/codes';
import { nextTry, type SandboxContext } from '../shared/context';
import type { Channel, Inbox } from '../shared/inbox';
import { displayPhone, maskCellphone } from '../shared/phone';
import type { PhoneHalf, SoftToken } from '../shared/phone-page';
import { postToApp } from '../shared/post-to-app';
import type { Answer, Field, PushRequest, PushRequests } from '../shared/push-requests';
import { newTotpSecret, useTotpCode } from '../shared/totp';
import { buildCallback, signedUrl } from './callback';
import { errors } from './errors';
import type { Approval, ApprovalExtra, AuthyModels, AuthyUser } from './models';

export const SMS_CODE_LENGTH = 7;
export const VERIFICATION_MAX_ATTEMPTS = 5;
export const DEFAULT_APPROVAL_TTL_S = 86_400;
/** ttl 0 means "never expires" (as authy-client documents it): a century will do. */
const NEVER_MS = 100 * 365 * 24 * 60 * 60 * 1000;
const MAX_AUTHY_ID_TRIES = 5;

type WithId<T> = T & { _id: Types.ObjectId };

export interface AuthySandboxOptions {
  ctx: SandboxContext;
  models: AuthyModels;
  inbox: Inbox;
  pushRequests: PushRequests;
  apiKey: string;
  /** Absolute URL of the app's OneTouch callback (POST, signed with the API key). */
  callbackUrl: string;
}

/** The soft token's label in authenticator apps. */
const label = (authyId: string) => `Authy ${authyId}`;

export class AuthySandbox implements PhoneHalf {
  readonly provider = 'authy';
  readonly accountField = 'authy_id';
  readonly customerUuid = randomUUID();

  constructor(private readonly o: AuthySandboxOptions) {}

  private get m() {
    return this.o.models;
  }

  now(): Date {
    return this.o.ctx.now();
  }

  private get ctx() {
    return this.o.ctx;
  }

  // ---- users -------------------------------------------------------------------------------

  /** Registers a user, or returns the one already registered with this phone (as Authy does). */
  async registerUser(u: { email: string; countryCode: string; cellphone: string }): Promise<AuthyUser> {
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
          createdAt: this.ctx.now(),
        });
        this.ctx.logger.info(`[sandbox] new user: Authy ID ${created.authyId}, ${displayPhone(u.countryCode, u.cellphone)}`);
        return created.toObject();
      } catch (err) {
        // A clash on the phone (a concurrent registration) or, rarely, on the random id: look again.
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw errors.internal();
  }

  async findUser(authyId: string): Promise<WithId<AuthyUser> | null> {
    if (!/^\d{1,15}$/.test(authyId)) return null;
    return this.m.users.findOne({ authyId }).lean<WithId<AuthyUser>>();
  }

  async requireUser(authyId: string): Promise<WithId<AuthyUser>> {
    const user = await this.findUser(authyId);
    if (!user) throw errors.userNotFound();
    return user;
  }

  /** The newest users' soft tokens, for the phone page. */
  async softTokens(limit = 10): Promise<SoftToken[]> {
    const users = await this.m.users.find({}).sort({ createdAt: -1 }).limit(limit).lean<AuthyUser[]>();
    return users.map((u) => ({
      key: u.authyId,
      account: u.authyId,
      secret: u.secret,
      label: label(u.authyId),
      createdAt: u.createdAt,
      fields: { authy_id: u.authyId, cellphone: maskCellphone(u.countryCode, u.cellphone) },
    }));
  }

  async softTokenOf(authyId: string) {
    const user = await this.findUser(authyId);
    return user && { secret: user.secret, label: label(user.authyId) };
  }

  // ---- SMS and voice codes -----------------------------------------------------------------

  async sendCode(authyId: string, channel: Channel): Promise<{ cellphone: string }> {
    const user = await this.requireUser(authyId);
    const to = displayPhone(user.countryCode, user.cellphone);
    const code = randomDigits(SMS_CODE_LENGTH);
    await this.o.inbox.deliver({ provider: 'authy', purpose: '2fa', account: authyId, key: authyId, to, channel, code });
    return { cellphone: maskCellphone(user.countryCode, user.cellphone) };
  }

  /** True when `token` is a live SMS/voice code or a fresh TOTP of the user's; each is accepted once. */
  async verifyToken(authyId: string, token: string): Promise<boolean> {
    const user = await this.requireUser(authyId);
    if (!/^\d{6,10}$/.test(token)) return false;
    if (token.length === SMS_CODE_LENGTH) {
      const sent = await this.o.inbox.findLive('authy', '2fa', authyId, token);
      if (sent) {
        if (!(await this.ctx.claim(`code:${sent._id.toHexString()}`, sent.expiresAt))) return false;
        await this.o.inbox.markUsed(sent._id);
        return true;
      }
    }
    const holder = { owner: user._id.toHexString(), secret: user.secret, lastStep: user.totpLastStep };
    return useTotpCode(this.ctx, holder, token, (step) =>
      this.m.users.updateOne({ _id: user._id, totpLastStep: trusted({ $lt: step }) }, { $set: { totpLastStep: step } }),
    );
  }

  // ---- push (approval requests) ------------------------------------------------------------

  async createApproval(
    authyId: string,
    req: { message: string; details: Field[]; hiddenDetails: Field[]; secondsToExpire?: number },
  ): Promise<Approval> {
    await this.requireUser(authyId);
    const ttl = req.secondsToExpire ?? DEFAULT_APPROVAL_TTL_S;
    const pendingUntil = new Date(this.ctx.now().getTime() + (ttl === 0 ? NEVER_MS : ttl * 1000));
    const approval = await this.o.pushRequests.create<ApprovalExtra>(
      {
        id: randomUUID(),
        provider: 'authy',
        account: authyId,
        scope: null,
        message: req.message,
        details: req.details,
        hiddenDetails: req.hiddenDetails,
        extra: { secondsToExpire: ttl },
      },
      pendingUntil,
    );
    this.ctx.logger.info(`[sandbox] Push to Authy ID ${authyId}: "${req.message}" (approve or deny it on /sandbox)`);
    return approval;
  }

  findApproval(uuid: string) {
    return this.o.pushRequests.find<ApprovalExtra>('authy', uuid);
  }

  /** The signed callback, once the phone answered one of this API's requests. */
  async sendCallback(request: PushRequest & { status: Answer }): Promise<void> {
    const approval = request as Approval & { status: Answer };
    const user = await this.findUser(approval.account);
    const { body, headers } = buildCallback({
      apiKey: this.o.apiKey,
      callbackUrl: this.o.callbackUrl,
      approval,
      deviceUuid: user?.deviceUuid ?? randomUUID(),
      customerUuid: this.customerUuid,
      now: this.ctx.now(),
    });
    const { callbackUrl } = this.o;
    await postToApp({ url: callbackUrl, body, headers, what: 'OneTouch callback', logUrl: signedUrl(callbackUrl) }, this.ctx.logger);
  }

  // ---- phone verification ------------------------------------------------------------------

  async startVerification(p: { countryCode: string; phone: string; via: Channel; codeLength: number }): Promise<string> {
    const to = displayPhone(p.countryCode, p.phone);
    const key = `${p.countryCode}:${p.phone}`;
    await this.o.inbox.deliver({ provider: 'authy', purpose: 'verification', key, to, channel: p.via, code: randomDigits(p.codeLength) });
    return to;
  }

  /**
   * Checks against the latest code sent to verify the phone. Every try counts, 5 at most: a try
   * is the claim of the next free try number, and success is the claim of the code.
   */
  async checkVerification(p: { countryCode: string; phone: string; code: string }): Promise<void> {
    const to = displayPhone(p.countryCode, p.phone);
    const latest = await this.o.inbox.findLive('authy', 'verification', `${p.countryCode}:${p.phone}`);
    if (!latest || latest.usedAt) throw errors.noPendingVerification(to);

    const id = `verification:${latest._id.toHexString()}`;
    if ((await nextTry(this.ctx, `${id}:try`, 1, VERIFICATION_MAX_ATTEMPTS, latest.expiresAt)) === 0) throw errors.maxAttempts();
    if (!safeEqual(p.code, latest.code)) throw errors.verificationIncorrect();
    if (!(await this.ctx.claim(`${id}:ok`, latest.expiresAt))) throw errors.noPendingVerification(to);
    await this.o.inbox.markUsed(latest._id);
  }
}
