// The provider tells us a push request was answered (Authy's callback, Verify's webhook).
// The provider checks its signature against the URL we publish, never one built from forwarded
// headers; each delivery is accepted once; a request moves from pending at most once.
import { Router, type Request, type Response } from 'express';
import { HttpError } from '../http/errors';
import type { PushCallback } from '../providers/provider';
import type { ApprovalStore } from './approval-store';

export interface CallbackDeps {
  callback: PushCallback;
  publicUrl: string;
  approvals: ApprovalStore;
}

export function callbackRoutes({ callback, publicUrl, approvals }: CallbackDeps): Router {
  const router = Router();
  const url = publicUrl + callback.path;

  router.post(callback.path, callback.parseBody, async (req: Request, res: Response) => {
    if (!callback.isSigned(req, url)) throw new HttpError(401, 'The callback signature is not valid.');
    const delivery = callback.deliveryId(req);
    if (delivery === undefined) throw new HttpError(400, 'The callback has no id.');
    if (!(await approvals.acceptDelivery(delivery))) throw new HttpError(409, 'This callback was already received.');
    const answer = callback.answer(req.body);
    if (answer === undefined) throw new HttpError(400, 'The callback has no valid uuid and status.');
    if (answer !== 'ignored') {
      if (!(await approvals.exists(answer.id))) throw new HttpError(404, 'Unknown approval request.');
      if (!(await approvals.finalize(answer.id, answer.status))) throw new HttpError(409, 'This approval request was already answered.');
    }
    res.json({ success: true });
  });

  // Providers sign POSTs only; anything else is refused rather than half-verified.
  router.all(callback.path, (_req, _res, next) => next(new HttpError(405, 'Use POST.')));
  return router;
}
