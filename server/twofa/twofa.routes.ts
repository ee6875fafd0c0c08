// The second factor: codes by SMS or call, tokens, and push (OneTouch) approval requests.
import { Router, type Request, type Response } from 'express';
import type { AuthyApi, ApprovalStatus } from '../authy/authy-api';
import type { UserModel } from '../auth/user.model';
import { LIMITS, type AttemptLimiter } from '../http/attempt-limits';
import { HttpError } from '../http/errors';
import { requireLoginApi } from '../http/guards';
import { destroySession, regenerateSession } from '../http/session';
import { bodyOf, requireString, rules } from '../http/validate';
import type { ApprovalStore } from './approval-store';

export interface TwoFactorDeps {
  users: UserModel;
  approvals: ApprovalStore;
  authy: AuthyApi;
  limiter: AttemptLimiter;
}

/** How long a push request waits for an answer on the phone (the original's ttl). */
export const PUSH_TTL_SECONDS = 120;

const isFinal = (status: ApprovalStatus) => status !== 'pending';
/** Every send that went out counts against the budget (a failed one throws and is not counted). */
const sentOk = () => true;

/** 2FA passed: a new session id for the new privilege, the login kept. */
function passSecondFactor(req: Request): Promise<void> {
  const { userId, username, createdAt, ph_verified, verifiedPhone } = req.session;
  return regenerateSession(req, (s) => {
    Object.assign(s, { loggedIn: true, authy: true, userId, username, createdAt, ph_verified, verifiedPhone });
  });
}

export function twoFactorRoutes({ users, approvals, authy, limiter }: TwoFactorDeps): Router {
  const router = Router();
  router.use(['/sms', '/voice', '/verify', '/onetouch', '/onetouchstatus'], requireLoginApi);

  /** The logged-in user; a session whose user is gone is ended rather than crashing. */
  async function currentUser(req: Request) {
    const user = await users.findById(req.session.userId);
    if (!user) {
      await destroySession(req);
      throw new HttpError(401, 'Please log in first.');
    }
    return user;
  }

  // POST /api/accountsecurity/sms
  router.post('/sms', async (req: Request, res: Response) => {
    const user = await currentUser(req);
    const sent = await limiter.guard(LIMITS.sends, user.id, () => authy.requestSms(user.authyId), sentOk);
    res.json({ success: true, message: sent.message, cellphone: sent.cellphone });
  });

  // POST /api/accountsecurity/voice
  router.post('/voice', async (req: Request, res: Response) => {
    const user = await currentUser(req);
    const sent = await limiter.guard(LIMITS.sends, user.id, () => authy.requestCall(user.authyId), sentOk);
    res.json({ success: true, message: sent.message, cellphone: sent.cellphone });
  });

  // POST /api/accountsecurity/verify
  router.post('/verify', async (req: Request, res: Response) => {
    const token = requireString(bodyOf(req), 'token', rules.token);
    const user = await currentUser(req);
    // A locked user stays locked even for the right token until the window passes.
    const valid = await limiter.guard(
      LIMITS.tokenFailures,
      user.id,
      () => authy.verifyToken(user.authyId, token),
      (ok) => !ok,
    );
    if (!valid) throw new HttpError(401, 'That token is not valid.', 'token');
    await passSecondFactor(req);
    res.json({ success: true });
  });

  // POST /api/accountsecurity/onetouch
  router.post('/onetouch', async (req: Request, res: Response) => {
    const user = await currentUser(req);
    const request = {
      message: 'Login requested for an Authy Demo account.',
      visibleDetails: { 'Authy ID': user.authyId, Username: user.username, Location: 'San Francisco, CA', Reason: 'Demo by Authy' },
      hiddenDetails: { test: 'This is a' },
      ttlSeconds: PUSH_TTL_SECONDS,
    };
    const uuid = await limiter.guard(LIMITS.sends, user.id, () => authy.createApprovalRequest(user.authyId, request), sentOk);
    await approvals.create(uuid, user.id);
    req.session.onetouchUuid = uuid;
    delete req.session.onetouchStatus;
    res.json({ success: true, approval_request: { uuid } });
  });

  // POST /api/accountsecurity/onetouchstatus
  router.post('/onetouchstatus', async (req: Request, res: Response) => {
    const uuid = req.session.onetouchUuid;
    if (!uuid) throw new HttpError(404, 'No push request is pending.');
    // A final answer is kept in the session: later polls cost no database read and no upstream call.
    let status: ApprovalStatus | undefined = req.session.onetouchStatus;
    if (!status) {
      const record = await approvals.find(uuid, req.session.userId!);
      if (!record) throw new HttpError(404, 'No push request is pending.');
      status = record.status;
      // The callback may have answered already; otherwise ask Authy.
      if (!isFinal(status)) {
        status = await authy.getApprovalStatus(uuid);
        if (status !== 'pending') await approvals.finalize(uuid, status);
      }
      if (status === 'approved') await passSecondFactor(req);
      if (status !== 'pending') Object.assign(req.session, { onetouchUuid: uuid, onetouchStatus: status });
    }
    res.json({ success: true, approval_request: { uuid, status } });
  });

  return router;
}
