// The second factor: codes by SMS or call, tokens, push approval requests, and the soft token's
// QR code while it waits for its first code. The provider (Authy or Verify) does the talking.
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { ApprovalStatus } from '../../common/approval-status';
import { currentPush, loginStage, passSecondFactor, rememberPush, settlePush } from '../auth/login-session';
import { sessionUser } from '../auth/session-user';
import type { UserModel } from '../auth/user.model';
import { HttpError } from '../http/errors';
import { requireLoginApi } from '../http/guards';
import { bodyOf, requireString, rules } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey } from '../limits/client-address';
import type { Limits } from '../limits/limits';
import type { TwoFactorProvider } from '../providers/provider';
import type { SendBudget } from '../limits/send-budget';
import type { ApprovalStore } from './approval-store';

export interface TwoFactorDeps {
  users: UserModel;
  approvals: ApprovalStore;
  provider: TwoFactorProvider;
  limiter: AttemptLimiter;
  limits: Limits;
  sendBudget: SendBudget;
  now: () => number;
}

/** How long a push request waits for an answer on the phone: as long as the SPA polls (client/twofa/push-poller.ts). */
export const PUSH_TTL_SECONDS = 60;

/** Every push that went out counts against the budget (a failed one throws and is not counted). */
const sentOk = () => true;

export function twoFactorRoutes({ users, approvals, provider, limiter, limits, sendBudget, now }: TwoFactorDeps): Router {
  const router = Router();
  router.use(['/sms', '/voice', '/verify', '/onetouch', '/onetouchstatus', '/softtoken'], requireLoginApi);

  /**
   * The logged-in user; a session whose user is gone is ended rather than crashing. A user the
   * original quickstart saved half-way (its registration failed after the insert, leaving
   * `authyId: null`, and no other provider's record) cannot get a second factor: they are told
   * to register again. A user registered with the other provider is the provider's to refuse.
   */
  async function currentUser(req: Request) {
    const user = await sessionUser(req, users);
    if (!user.authyId && !user.verify) throw new HttpError(409, 'This account has no Authy id; please register again.');
    return user;
  }

  /** An SMS or a call: the user's, the number's, the address's and the app's budgets (limits/send-budget.ts). */
  const phoneSend = (req: Request, user: { id: string; phone?: string }) => ({
    userId: user.id,
    number: user.phone,
    address: clientAddressKey(req),
  });

  // POST /api/accountsecurity/sms
  router.post('/sms', async (req: Request, res: Response) => {
    const user = await currentUser(req);
    await limiter.refuseWhileFull(limits.tokenFailures, user.id);
    const sent = await sendBudget.guard(phoneSend(req, user), () => provider.sendCode(user, 'sms'));
    res.json({ success: true, message: sent.message, cellphone: sent.cellphone });
  });

  // POST /api/accountsecurity/voice
  router.post('/voice', async (req: Request, res: Response) => {
    const user = await currentUser(req);
    await limiter.refuseWhileFull(limits.tokenFailures, user.id);
    const sent = await sendBudget.guard(phoneSend(req, user), () => provider.sendCode(user, 'call'));
    res.json({ success: true, message: sent.message, cellphone: sent.cellphone });
  });

  // POST /api/accountsecurity/verify
  router.post('/verify', async (req: Request, res: Response) => {
    const token = requireString(bodyOf(req), 'token', rules.token);
    const user = await currentUser(req);
    // A locked user stays locked even for the right token until the window passes.
    const check = await limiter.guard(
      limits.tokenFailures,
      user.id,
      () => provider.checkToken(user, token),
      (c) => !c.valid,
    );
    if (!check.valid) throw await limiter.wrongAnswer([[limits.tokenFailures, user.id]], 'That token is not valid.', 'token');
    if (check.record) await users.updateOne({ _id: user._id }, { $set: check.record });
    await passSecondFactor(req, now());
    res.json({ success: true });
  });

  // GET /api/accountsecurity/softtoken: the soft token's QR code while it waits for its first code, else null.
  router.get('/softtoken', async (req: Request, res: Response) => {
    const pending = provider.pendingSoftToken(await currentUser(req));
    res.set('Cache-Control', 'no-store');
    if (!pending) {
      res.json({ enrol: null });
      return;
    }
    const qrCode = await QRCode.toDataURL(pending.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, scale: 5 });
    res.json({ enrol: { qr_code: qrCode, otpauth_url: pending.otpauthUri } });
  });

  // POST /api/accountsecurity/onetouch: a push to the Authy app costs no SMS or call, so only
  // the user's budget applies.
  router.post('/onetouch', async (req: Request, res: Response) => {
    const user = await currentUser(req);
    const request = {
      message: 'Login requested for an Authy Demo account.',
      details: { Username: user.username, Location: 'San Francisco, CA', Reason: 'Demo by Authy' },
      hiddenDetails: { test: 'This is a' },
      ttlSeconds: PUSH_TTL_SECONDS,
    };
    const uuid = await limiter.guard(limits.sends, user.id, () => provider.createPush(user, request), sentOk);
    await approvals.create(uuid, user.id);
    rememberPush(req, uuid);
    res.json({ success: true, approval_request: { uuid } });
  });

  // POST /api/accountsecurity/onetouchstatus
  router.post('/onetouchstatus', async (req: Request, res: Response) => {
    const push = currentPush(req);
    const login = loginStage(req);
    if (!push || login.stage === 'anonymous') throw new HttpError(404, 'No push request is pending.');
    const { uuid } = push;
    let status: ApprovalStatus | undefined = push.status;
    if (!status) {
      const record = await approvals.find(uuid, login.userId);
      if (!record) throw new HttpError(404, 'No push request is pending.');
      status = record.status;
      // The callback may have answered already; otherwise ask the provider.
      if (status === 'pending') {
        status = await provider.pushStatus(await currentUser(req), uuid);
        if (status !== 'pending') await approvals.finalize(uuid, status);
      }
      if (status === 'approved') await passSecondFactor(req, now());
      if (status !== 'pending') settlePush(req, uuid, status);
    }
    res.json({ success: true, approval_request: { uuid, status } });
  });

  return router;
}
