// Phone verification: a code by SMS or call (4 digits with Authy, the Service's length with Verify), then the code back.
import { Router, type Request, type Response } from 'express';
import type { Done, PhoneNumber, VerificationCheckRequest, VerificationStarted, VerificationStartRequest } from '../../common/api';
import { markPhoneVerified, phoneCode, rememberPhoneCode } from '../auth/login-session';
import { bodyOf, requirePhone, requireString, rules } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey } from '../limits/client-address';
import type { Limits } from '../platform/limits-config';
import type { ProviderRecords } from '../auth/user.model';
import type { TwoFactorProvider } from '../providers/provider';
import type { SendBudget } from '../limits/send-budget';
import { codeSentText } from '../../common/code-sent';
import { productOf } from '../../common/products';

function phoneOf<T extends PhoneNumber>(req: Request) {
  const body = bodyOf<T>(req);
  return { body, phone: requirePhone(body) };
}

export interface VerificationDeps {
  provider: TwoFactorProvider<ProviderRecords>;
  limiter: AttemptLimiter;
  limits: Limits;
  sendBudget: SendBudget;
}

export function verificationRoutes({ provider, limiter, limits, sendBudget }: VerificationDeps): Router {
  const router = Router();

  // POST /api/verification/start
  router.post('/start', async (req: Request, res: Response<VerificationStarted>) => {
    const { body, phone } = phoneOf<VerificationStartRequest>(req);
    const via = requireString(body, 'via', rules.via) as 'sms' | 'call';
    // Anyone may ask, for any number: the number's, the address's (also in distinct numbers) and the app's budgets.
    const send = { number: phone.e164, address: clientAddressKey(req), anyNumber: true };
    await limiter.refuseWhileFull(limits.phoneFailures, phone.e164);
    const started = await sendBudget.guard(send, () => provider.startPhoneVerification(phone, via));
    // The code is checked against this start only (Verify), never whatever is pending for the number.
    if (started.codeId !== undefined) rememberPhoneCode(req, phone.e164, started.codeId);
    // One wording and one masking on both providers (common/code-sent.ts), never the whole number.
    res.json({ success: true, message: codeSentText(via, phone.e164, productOf(provider.name).codeLifetimeMinutes) });
  });

  // POST /api/verification/verify
  router.post('/verify', async (req: Request, res: Response<Done>) => {
    const { body, phone } = phoneOf<VerificationCheckRequest>(req);
    const code = requireString(body, 'token', rules.verificationCode);
    const valid = await limiter.guard(
      limits.phoneFailures,
      phone.e164,
      () => provider.checkPhoneVerification(phone, code, phoneCode(req, phone.e164)),
      (ok) => !ok,
    );
    if (!valid) throw await limiter.wrongAnswer([[limits.phoneFailures, phone.e164]], 'That code is not valid.', 'token');
    markPhoneVerified(req, phone.e164);
    res.json({ success: true });
  });

  return router;
}
