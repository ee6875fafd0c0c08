// The second factor: codes by SMS or call, tokens, push approval requests, and the soft token
// waiting for its first code (its QR code, and its enrolment after 2FA). The provider (Authy or
// Verify) does the talking; what a session may see and do comes from auth/login-session.ts.
import { Router, type Request, type Response } from 'express';
import type { CodeSent, Done, PushAnswer, SoftTokenState, TokenRequest } from '../../common/api';
import type { ApprovalStatus } from '../../common/approval-status';
import {
  currentPush,
  forgetSentCode,
  freshCheckAction,
  loginStage,
  mayEnrolSoftToken,
  passSecondFactor,
  rememberPush,
  rememberSentCode,
  requireFreshCheck,
  sentCode,
  settlePush,
} from '../auth/login-session';
import { recordSecurityEvent } from '../auth/login-events';
import { sessionUser } from '../auth/session-user';
import type { ProviderRecords, UserModel } from '../auth/user.model';
import { HttpError } from '../http/errors';
import { requireLoginApi, requireTwoFactorApi } from '../auth/guards';
import { bodyOf, requireString, rules } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey, clientNetwork } from '../limits/client-address';
import type { Limits } from '../platform/limits-config';
import type { Metrics } from '../metrics/metrics';
import type { TokenCheck, TokenContext, TwoFactorProvider } from '../providers/provider';
import type { SendBudget } from '../limits/send-budget';
import type { ApprovalStore } from './approval-store';
import { EnrolmentLock } from './enrolment-lock';
import { CONFIRM_IDENTITY, pushRequest } from './push-request';
import { UsedCodes } from './used-codes';

export interface TwoFactorDeps {
  users: UserModel;
  approvals: ApprovalStore;
  provider: TwoFactorProvider<ProviderRecords>;
  limiter: AttemptLimiter;
  limits: Limits;
  sendBudget: SendBudget;
  now: () => number;
  metrics: Metrics;
}

/** Every push that went out counts against the budget (a failed one throws and is not counted). */
const sentOk = () => true;

/** A soft token still waiting for its first code after this long is replaced when enrolment starts again. */
export const SOFT_TOKEN_STALE_MS = 24 * 60 * 60 * 1000;

const EXPIRED_CODE = 'That code has expired. Request a new one.';
/** A code this user passed with a moment ago, tried again (used-codes.ts). */
export const USED_CODE = 'That code was used already: wait for the next one in your authenticator app, or send a new one.';
const SET_UP_APP = 'Set up an authenticator app';

export function twoFactorRoutes({ users, approvals, provider, limiter, limits, sendBudget, now, metrics }: TwoFactorDeps): Router {
  const router = Router();
  const enrolment = new EnrolmentLock(users.db, now);
  const usedCodes = new UsedCodes(users.db, now);
  router.use(['/sms', '/voice', '/verify', '/onetouch', '/onetouchstatus', '/softtoken'], requireLoginApi);

  /**
   * The logged-in user; a session whose user is gone is ended rather than crashing. A user the
   * provider can do nothing for (say, one the original quickstart saved half-way) gets a 409
   * saying why, in the provider's words.
   */
  async function currentUser(req: Request) {
    const user = await sessionUser(req, users);
    const refused = provider.refusal(user);
    if (refused !== undefined) throw new HttpError(409, refused);
    return user;
  }

  type SessionUser = Awaited<ReturnType<typeof currentUser>>;

  /** An SMS or a call: the user's, the number's, the address's and the app's budgets (limits/send-budget.ts). */
  const phoneSend = (req: Request, user: { id: string; phone?: string }) => ({
    userId: user.id,
    number: user.phone,
    address: clientAddressKey(req),
  });

  /** A code sent by SMS or call; the session keeps what to check it against (Verify's VerificationSid). */
  async function sendCode(req: Request, channel: 'sms' | 'call'): Promise<CodeSent> {
    const user = await currentUser(req);
    // A code that could not be checked while wrong tokens are locked is not sent.
    await limiter.refuseWhileFull(limits.tokenFailures, user.id);
    const sent = await sendBudget.guard(phoneSend(req, user), () => provider.sendCode(user, channel));
    if (sent.codeId !== undefined) rememberSentCode(req, sent.codeId);
    return { success: true, message: sent.message, cellphone: sent.cellphone };
  }

  /**
   * Checks a code, within the user's limit of wrong ones. A code this session had sent that can
   * no longer be checked is no failure of the user's: the session forgets it, and the answer
   * says to request a new one. Trying the pending soft token's first code holds the user's
   * enrolment lock (enrolment-lock.ts).
   */
  async function checkCode(req: Request, user: SessionUser, token: string, context: TokenContext) {
    const enrolling = context.mayEnrol && provider.pendingSoftToken(user) !== undefined;
    const attempt = () => provider.checkToken(user, token, context);
    // A locked user stays locked even for the right token until the window passes.
    const check: TokenCheck<ProviderRecords> = await limiter.guard(
      limits.tokenFailures,
      user.id,
      () => (enrolling ? enrolment.hold(user.id, attempt) : attempt()),
      (c) => !c.valid && !c.expired,
    );
    if (!check.expired) metrics.secondFactor('token', check.valid ? 'success' : 'failure');
    // The record changes whether or not this code was right (a factor found verified upstream).
    if (check.record) await users.updateOne({ _id: user._id }, { $set: check.record });
    if (check.enrolled) await recordSecurityEvent(req, { type: 'authenticator-set-up' });
    if (check.expired) {
      forgetSentCode(req);
      throw new HttpError(410, EXPIRED_CODE, 'token');
    }
    if (!check.valid) {
      const sentence = (await usedCodes.wasUsed(user.id, token)) ? USED_CODE : 'That token is not valid.';
      throw await limiter.wrongAnswer([[limits.tokenFailures, user.id]], sentence, 'token');
    }
    await usedCodes.remember(user.id, token);
    return check;
  }

  // POST /api/accountsecurity/sms
  router.post('/sms', async (req: Request, res: Response<CodeSent>) => {
    res.json(await sendCode(req, 'sms'));
  });

  // POST /api/accountsecurity/voice
  router.post('/voice', async (req: Request, res: Response<CodeSent>) => {
    res.json(await sendCode(req, 'call'));
  });

  // POST /api/accountsecurity/verify: the second factor (or, after 2FA, a fresh check). The
  // soft token's first code is taken only where this session may enrol it; that code passes
  // 2FA for the login that registered, but is no fresh check.
  router.post('/verify', async (req: Request, res: Response<Done>) => {
    const token = requireString(bodyOf<TokenRequest>(req), 'token', rules.token);
    const user = await currentUser(req);
    const check = await checkCode(req, user, token, { sentCodeId: sentCode(req), mayEnrol: mayEnrolSoftToken(req, now()) });
    if (!check.enrolled) await passSecondFactor(req, now(), { how: 'code' });
    else if (loginStage(req).stage === 'password') await passSecondFactor(req, now(), { fresh: false, how: 'code' });
    res.json({ success: true });
  });

  /**
   * GET /api/accountsecurity/softtoken: the soft token's QR code while it waits for its first
   * code, to a session that may enrol it; `{enrol: null}` when there is none, and to a login that
   * passed only the password; a 403 (`field: "recheck"`) after 2FA without a fresh check.
   */
  router.get('/softtoken', async (req: Request, res: Response<SoftTokenState>) => {
    const user = await currentUser(req);
    res.set('Cache-Control', 'no-store');
    let pending = provider.pendingSoftToken(user);
    const login = loginStage(req);
    if (pending && login.stage === 'complete') requireFreshCheck(req, SET_UP_APP, now());
    if (!pending || !mayEnrolSoftToken(req, now())) {
      res.json({ enrol: null });
      return;
    }
    if (now() - pending.createdAt.getTime() > SOFT_TOKEN_STALE_MS) {
      // A seed shown over a day ago may have been seen by anyone since: a new factor replaces it.
      const record = await provider.renewSoftToken(user);
      await users.updateOne({ _id: user._id }, { $set: record });
      user.set(record);
      pending = provider.pendingSoftToken(user)!;
    }
    const { default: QRCode } = await import('qrcode'); // loaded for the first QR code, not at start
    const qrCode = await QRCode.toDataURL(pending.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, scale: 5 });
    res.json({ enrol: { qr_code: qrCode, otpauth_url: pending.otpauthUri } });
  });

  // POST /api/accountsecurity/softtoken {token}: sets up the authenticator app after 2FA (on
  // /protected), with a fresh second factor. Only the soft token's first code; no fresh check given.
  router.post('/softtoken', requireTwoFactorApi, async (req: Request, res: Response<Done>) => {
    const token = requireString(bodyOf<TokenRequest>(req), 'token', rules.token);
    const user = await currentUser(req);
    if (!provider.pendingSoftToken(user)) throw new HttpError(409, 'Your authenticator app is set up already.');
    requireFreshCheck(req, SET_UP_APP, now());
    await checkCode(req, user, token, { mayEnrol: true });
    res.json({ success: true });
  });

  // POST /api/accountsecurity/onetouch (the original's path): a push costs no SMS or call, so
  // only the user's budget applies. The phone shows where the request comes from, and after 2FA
  // what it would confirm. The JSON names the provider's id `uuid`, as Authy's did.
  router.post('/onetouch', async (req: Request, res: Response<PushAnswer>) => {
    const user = await currentUser(req);
    const request = pushRequest({
      username: user.username,
      userAgent: req.get('user-agent'),
      network: clientNetwork(req),
      action: loginStage(req).stage === 'complete' ? (freshCheckAction(req) ?? CONFIRM_IDENTITY) : undefined,
    });
    const pushId = await limiter.guard(limits.sends, user.id, () => provider.createPush(user, request), sentOk);
    await approvals.create(pushId, user.id);
    rememberPush(req, pushId);
    res.json({ success: true, approval_request: { uuid: pushId } });
  });

  // POST /api/accountsecurity/onetouchstatus (the original's path)
  router.post('/onetouchstatus', async (req: Request, res: Response<PushAnswer>) => {
    const push = currentPush(req);
    const login = loginStage(req);
    if (!push || login.stage === 'anonymous') throw new HttpError(404, 'No push request is pending.');
    const { id } = push;
    let status: ApprovalStatus | undefined = push.status;
    if (!status) {
      const record = await approvals.find(id, login.userId);
      if (!record) throw new HttpError(404, 'No push request is pending.');
      status = record.status;
      // The callback may have answered already; otherwise ask the provider.
      if (status === 'pending') {
        status = await provider.pushStatus(await currentUser(req), id);
        if (status !== 'pending') await approvals.finalize(id, status);
      }
      if (status === 'approved') await passSecondFactor(req, now(), { how: 'push' });
      if (status !== 'pending') {
        settlePush(req, id, status);
        metrics.secondFactor('push', status === 'approved' ? 'success' : 'failure');
      }
    }
    res.json({ success: true, approval_request: { uuid: id, status } });
  });

  return router;
}
