// Passkeys (WebAuthn) under /api/passkeys: enrolment and management after 2FA, a passkey as the
// second factor, and sign-in with a passkey alone. One handler per route, in a file per
// ceremony; what they share is in route-context.ts. See README, "Passkeys", and
// docs/architecture.md.
import { Router, type RequestHandler } from 'express';
import { requireLoginApi, requireTwoFactorApi } from '../auth/guards';
import type { Metrics, PasskeyCeremony } from '../metrics/metrics';
import { finishEnrolment, startEnrolment } from './enrolment.routes';
import { listPasskeys, removePasskey, renamePasskey } from './manage.routes';
import { passkeyContext, type PasskeyRoutesDeps } from './route-context';
import { finishSecondFactor, passkeysAvailable, startSecondFactor } from './second-factor.routes';
import { finishSignIn, startSignIn } from './sign-in.routes';

export type { PasskeyRoutesDeps } from './route-context';

/**
 * Counts how a ceremony's answer went, from its status: success, or a refusal (a 4xx; a limit's
 * 429 counts as a limit refusal, a 5xx as neither). A sign-in is a login too.
 */
const counted =
  (metrics: Metrics, ceremony: PasskeyCeremony): RequestHandler =>
  (_req, res, next) => {
    res.once('finish', () => {
      const outcome = res.statusCode < 300 ? 'success' : res.statusCode < 500 && res.statusCode !== 429 ? 'failure' : undefined;
      if (!outcome) return;
      metrics.passkeyCeremony(ceremony, outcome);
      if (ceremony === 'sign_in') metrics.login('passkey', outcome);
    });
    next();
  };

export function passkeyRoutes(deps: PasskeyRoutesDeps): Router {
  const ctx = passkeyContext(deps);
  const router = Router();
  // Enrolment and management: after 2FA.
  router.get('/', requireTwoFactorApi, listPasskeys(ctx));
  router.post('/registration/options', requireTwoFactorApi, startEnrolment(ctx));
  router.post('/registration', requireTwoFactorApi, counted(deps.metrics, 'register'), finishEnrolment(ctx));
  router.patch('/:id', requireTwoFactorApi, renamePasskey(ctx));
  router.delete('/:id', requireTwoFactorApi, removePasskey(ctx));
  // The second factor: after the password.
  router.get('/available', requireLoginApi, passkeysAvailable(ctx));
  router.post('/authentication/options', requireLoginApi, startSecondFactor(ctx));
  router.post('/authentication', requireLoginApi, counted(deps.metrics, 'second_factor'), finishSecondFactor(ctx));
  // Sign-in: for anyone.
  router.post('/sign-in/options', startSignIn(ctx));
  router.post('/sign-in', counted(deps.metrics, 'sign_in'), finishSignIn(ctx));
  return router;
}
