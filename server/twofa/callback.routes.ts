// POST /api/accountsecurity/onetouch/callback: Authy (or the sandbox) tells us a push request
// was answered. The signature is checked against the URL we publish, never one built from
// forwarded headers; each nonce is accepted once; a request moves from pending at most once.
import { Router, type Request, type Response } from 'express';
import { isValidSignature } from '../authy/signature';
import { HttpError } from '../http/errors';
import { parseFormBody } from '../http/json-body';
import type { ApprovalStore } from './approval-store';

export const CALLBACK_PATH = '/api/accountsecurity/onetouch/callback';

export interface CallbackDeps {
  apiKey: string;
  publicUrl: string;
  approvals: ApprovalStore;
}

const FINAL_STATUSES = new Set(['approved', 'denied']);

export function callbackRoutes({ apiKey, publicUrl, approvals }: CallbackDeps): Router {
  const router = Router();
  const url = publicUrl + CALLBACK_PATH;

  router.post(CALLBACK_PATH, parseFormBody(), async (req: Request, res: Response) => {
    const signature = req.get('x-authy-signature');
    const nonce = req.get('x-authy-signature-nonce');
    if (
      !signature ||
      !nonce ||
      nonce.length > 128 ||
      !isValidSignature(apiKey, { nonce, method: 'POST', url, body: req.body ?? {} }, signature)
    ) {
      throw new HttpError(401, 'The callback signature is not valid.');
    }
    if (!(await approvals.acceptNonce(nonce))) throw new HttpError(409, 'This callback was already received.');
    const { uuid, status } = req.body as { uuid?: unknown; status?: unknown };
    if (typeof uuid !== 'string' || typeof status !== 'string' || !FINAL_STATUSES.has(status)) {
      throw new HttpError(400, 'The callback has no valid uuid and status.');
    }
    if (!(await approvals.exists(uuid))) throw new HttpError(404, 'Unknown approval request.');
    if (!(await approvals.finalize(uuid, status as 'approved' | 'denied'))) {
      throw new HttpError(409, 'This approval request was already answered.');
    }
    res.json({ success: true });
  });

  // Authy signs POSTs only; anything else is refused rather than half-verified.
  router.all(CALLBACK_PATH, (_req, _res, next) => next(new HttpError(405, 'Use POST.')));
  return router;
}
