// Sign-in with a passkey alone: no username, no password, no code.
import type { Done, PasskeyRequestOptions } from '../../common/api';
import { startPasskeyLogin } from '../auth/login-session';
import { HttpError } from '../http/errors';
import { bodyOf } from '../http/validate';
import { clientAddressKey } from '../limits/client-address';
import { authenticationOptions, checkAssertion, userHandleOf } from './ceremonies';
import { authenticationResponse } from './response-shape';
import { counterUsedTwice, type PasskeyContext, type PasskeyHandler } from './route-context';

/**
 * POST /api/passkeys/sign-in/options. There is no one to count against but the client address,
 * so every ceremony started counts.
 */
export const startSignIn =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyRequestOptions> =>
  async (req, res) => {
    const rp = ctx.requireRelyingParty();
    await ctx.limiter.reserve(ctx.limits.passkeySignIns, clientAddressKey(req));
    const options = await authenticationOptions(rp, 'required');
    ctx.offerChallenge(req, 'sign-in', options);
    res.json(options);
  };

/** POST /api/passkeys/sign-in: a discoverable passkey with user verification logs straight in. */
export const finishSignIn =
  (ctx: PasskeyContext): PasskeyHandler<Done> =>
  async (req, res) => {
    const rp = ctx.requireRelyingParty();
    const response = authenticationResponse(bodyOf(req));
    const challenge = await ctx.useChallenge(req, 'sign-in');
    const passkey = await ctx.passkeys.find(response.id);
    const claimed = response.response.userHandle;
    if (!passkey || (claimed !== undefined && claimed !== userHandleOf(passkey.userId))) {
      throw new HttpError(401, 'That passkey is not registered here.');
    }
    const check = await checkAssertion(rp, response, challenge, passkey);
    if (!check.ok) throw ctx.refused(check, passkey);
    if (!check.userVerified) {
      throw new HttpError(401, 'Signing in with a passkey alone needs its PIN or biometric check. Log in with your password instead.');
    }
    const user = await ctx.users.findById(passkey.userId);
    if (!user) throw new HttpError(401, 'That passkey is not registered here.');
    if (!(await ctx.passkeys.recordUse(passkey, check.counter))) throw ctx.refused(counterUsedTwice(check.counter), passkey);
    await startPasskeyLogin(req, { id: user.id, username: user.username }, ctx.now());
    res.json({ success: true });
  };
