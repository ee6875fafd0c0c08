// A passkey as the second factor of a password login (or as the fresh check after it).
import type { Done, PasskeyAvailability, PasskeyRequestOptions } from '../../common/api';
import { passSecondFactor } from '../auth/login-session';
import { HttpError } from '../http/errors';
import { bodyOf } from '../http/validate';
import { authenticationOptions, checkAssertion } from './ceremonies';
import { authenticationResponse } from './response-shape';
import { counterUsedTwice, type PasskeyContext, type PasskeyHandler } from './route-context';

/** GET /api/passkeys/available: whether /2fa should offer "Use a passkey". */
export const passkeysAvailable =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyAvailability> =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    res.json({ available: ctx.relyingParty !== undefined && (await ctx.passkeys.count(user.id)) > 0 });
  };

/** POST /api/passkeys/authentication/options */
export const startSecondFactor =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyRequestOptions> =>
  async (req, res) => {
    const rp = ctx.requireRelyingParty();
    const user = await ctx.currentUser(req);
    const mine = await ctx.passkeys.list(user.id);
    if (mine.length === 0) throw new HttpError(404, 'You have no passkey yet.');
    const options = await authenticationOptions(rp, 'preferred', mine);
    ctx.offerChallenge(req, 'second-factor', options);
    res.json(options);
  };

/**
 * POST /api/passkeys/authentication: the browser's AuthenticationResponseJSON. Failures count
 * against the same limit as wrong tokens, per user.
 */
export const finishSecondFactor =
  (ctx: PasskeyContext): PasskeyHandler<Done> =>
  async (req, res) => {
    const rp = ctx.requireRelyingParty();
    const response = authenticationResponse(bodyOf(req));
    const user = await ctx.currentUser(req);
    const challenge = await ctx.useChallenge(req, 'second-factor');
    const failure = await ctx.limiter.guard(
      ctx.limits.tokenFailures,
      user.id,
      async (): Promise<HttpError | null> => {
        // Only this user's passkeys count: another person's cannot complete this login.
        const passkey = await ctx.passkeys.find(response.id, user.id);
        if (!passkey) return new HttpError(401, 'That passkey is not registered to this account.');
        const check = await checkAssertion(rp, response, challenge, passkey);
        if (!check.ok) return ctx.refused(check, passkey);
        if (!(await ctx.passkeys.recordUse(passkey, check.counter))) return ctx.refused(counterUsedTwice(check.counter), passkey);
        return null;
      },
      (result) => result !== null,
    );
    ctx.metrics.secondFactor('passkey', failure ? 'failure' : 'success');
    if (failure) throw failure;
    await passSecondFactor(req, ctx.now(), { how: 'passkey' });
    res.json({ success: true });
  };
