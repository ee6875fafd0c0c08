// Phone verification: a 4-digit code by SMS or call, then the code back.
import { Router, type Request, type Response } from 'express';
import type { AuthyApi } from '../authy/authy-api';
import { LIMITS, type AttemptLimiter } from '../http/attempt-limits';
import { HttpError } from '../http/errors';
import { bodyOf, digitsOnly, requireString, rules } from '../http/validate';

function phoneOf(req: Request) {
  const body = bodyOf(req);
  return {
    body,
    phone: digitsOnly(requireString(body, 'phone_number', rules.phoneNumber)),
    countryCode: digitsOnly(requireString(body, 'country_code', rules.countryCode)),
  };
}

export function verificationRoutes({ authy, limiter }: { authy: AuthyApi; limiter: AttemptLimiter }): Router {
  const router = Router();

  // POST /api/verification/start
  router.post('/start', async (req: Request, res: Response) => {
    const { body, phone, countryCode } = phoneOf(req);
    const via = requireString(body, 'via', rules.via) as 'sms' | 'call';
    await limiter.hitOrThrow(LIMITS.phoneStarts, `${countryCode}:${phone}`);
    const message = await authy.startPhoneVerification({ via, phone, countryCode });
    res.json({ success: true, message });
  });

  // POST /api/verification/verify
  router.post('/verify', async (req: Request, res: Response) => {
    const { body, phone, countryCode } = phoneOf(req);
    const code = requireString(body, 'token', { ...rules.verificationCode, label: 'Code' });
    const key = `${countryCode}:${phone}`;
    await limiter.assertAllowed(LIMITS.phoneFailures, key);
    if (!(await authy.checkPhoneVerification({ phone, countryCode, code }))) {
      await limiter.hit(LIMITS.phoneFailures, key);
      throw new HttpError(401, 'That code is not valid.', 'token');
    }
    req.session.ph_verified = true;
    req.session.verifiedPhone = `+${countryCode} ${phone}`;
    res.json({ success: true });
  });

  return router;
}
