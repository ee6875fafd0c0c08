// Enrolment: a person past 2FA (and checked again within 5 minutes) adds a passkey.
import type { PasskeyAnswer, PasskeyCreationOptions } from '../../common/api';
import { MAX_PASSKEYS } from '../../common/passkey-info';
import { recordSecurityEvent } from '../auth/login-events';
import { requireFreshCheck } from '../auth/login-session';
import { bodyOf } from '../http/validate';
import { checkRegistration, registrationOptions } from './ceremonies';
import { summaryOf, tooManyPasskeys } from './passkey-store';
import { registrationResponse } from './response-shape';
import type { PasskeyContext, PasskeyHandler } from './route-context';
import { knownBrowserName } from '../http/browser-name';

/** POST /api/passkeys/registration/options */
export const startEnrolment =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyCreationOptions> =>
  async (req, res) => {
    const rp = ctx.requireRelyingParty();
    const user = await ctx.currentUser(req);
    // Adding (or removing) a passkey is for someone who proved a second factor just now, not for a stolen session.
    requireFreshCheck(req, 'Add a passkey', ctx.now());
    const existing = await ctx.passkeys.list(user.id);
    if (existing.length >= MAX_PASSKEYS) throw tooManyPasskeys();
    const options = await registrationOptions(rp, { id: user.id, username: user.username }, existing);
    ctx.offerChallenge(req, 'register', options);
    res.json(options);
  };

/** POST /api/passkeys/registration: the browser's RegistrationResponseJSON. */
export const finishEnrolment =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyAnswer> =>
  async (req, res) => {
    const rp = ctx.requireRelyingParty();
    const response = registrationResponse(bodyOf(req));
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Add a passkey', ctx.now());
    const challenge = await ctx.useChallenge(req, 'register');
    const check = await checkRegistration(rp, response, challenge, user.id);
    if (!check.ok) throw ctx.refused(check);
    // Named after the browser and system it was made on ("Chrome on Linux"): the person can tell them apart.
    const record = await ctx.passkeys.add(check.passkey, knownBrowserName(req.get('user-agent')));
    await recordSecurityEvent(req, { type: 'passkey-added', name: record.name });
    res.json({ passkey: summaryOf(record) });
  };
