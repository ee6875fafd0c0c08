// Phone verification: a 4-digit code by SMS or call, then the code back.
import { Router, type Request, type Response } from 'express';
import { markPhoneVerified } from '../auth/login-session';
import type { AuthyApi } from '../authy/authy-api';
import { HttpError } from '../http/errors';
import { bodyOf, requirePhone, requireString, rules } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey } from '../limits/client-address';
import type { Limits } from '../limits/limits';
import type { SendBudget } from '../limits/send-budget';

function phoneOf(req: Request) {
  const body = bodyOf(req);
  const { e164, callingCode, national } = requirePhone(body);
  return { body, e164, phone: national, countryCode: callingCode };
}

export interface VerificationDeps {
  authy: AuthyApi;
  limiter: AttemptLimiter;
  limits: Limits;
  sendBudget: SendBudget;
}

export function verificationRoutes({ authy, limiter, limits, sendBudget }: VerificationDeps): Router {
  const router = Router();

  // POST /api/verification/start
  router.post('/start', async (req: Request, res: Response) => {
    const { body, e164, phone, countryCode } = phoneOf(req);
    const via = requireString(body, 'via', rules.via) as 'sms' | 'call';
    // Anyone may ask, for any number: the number's, the address's (also in distinct numbers) and the app's budgets.
    const send = { number: e164, address: clientAddressKey(req), anyNumber: true };
    const message = await sendBudget.guard(send, () => authy.startPhoneVerification({ via, phone, countryCode }));
    res.json({ success: true, message });
  });

  // POST /api/verification/verify
  router.post('/verify', async (req: Request, res: Response) => {
    const { body, e164, phone, countryCode } = phoneOf(req);
    const code = requireString(body, 'token', rules.verificationCode);
    const valid = await limiter.guard(
      limits.phoneFailures,
      e164,
      () => authy.checkPhoneVerification({ phone, countryCode, code }),
      (ok) => !ok,
    );
    if (!valid) throw new HttpError(401, 'That code is not valid.', 'token');
    markPhoneVerified(req, e164);
    res.json({ success: true });
  });

  return router;
}
