// The account page's summary, and the changes of what signs a person in: the password, the phone
// number, the authenticator app. Each change needs a fresh second factor.
import type { RequestHandler } from 'express';
import type { AccountSummary } from '../../common/account-api';
import { PASSWORD_MIN } from '../../common/account-rules';
import { maskE164 } from '../../common/phone-number';
import { forgetPhoneChange, loginHandle, pendingPhoneChange, rememberPhoneChange, requireFreshCheck } from '../auth/login-session';
import { usernameKey } from '../auth/username-key';
import { requestClock } from '../http/arrival';
import { HttpError } from '../http/errors';
import { bodyOf, requirePhone, requireString, rules } from '../http/validate';
import { clientAddressKey } from '../limits/client-address';
import type { AccountContext } from './account-context';

/** GET /api/account */
export const accountSummary =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    const recovery = await ctx.recovery.status(user.id);
    const body: AccountSummary = {
      username: user.username,
      phone: user.phone ? maskE164(user.phone) : null,
      provider: ctx.provider.name,
      authenticatorPending: ctx.provider.pendingSoftToken(user) !== undefined,
      recoveryCodes: recovery && { remaining: recovery.remaining, total: recovery.total, createdAt: recovery.createdAt.toISOString() },
      rememberBrowserDays: ctx.rememberBrowserDays,
    };
    res.json(body);
  };

/**
 * POST /api/account/password {current_password, new_password}. Wrong current passwords count
 * against the username's login limit. Afterwards every other session ends and every remembered
 * browser is forgotten: whoever knew the old password keeps nothing.
 */
export const changePassword =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const body = bodyOf(req);
    const current = requireString(body, 'current_password', { ...rules.password, label: 'Current password' });
    const next = requireString(body, 'new_password', { ...rules.password, label: 'New password' });
    if (next.length < PASSWORD_MIN) {
      throw new HttpError(400, `New password must be at least ${PASSWORD_MIN} characters.`, 'new_password');
    }
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Change the password', ctx.now());
    const stored = user.hashed_password;
    const key = usernameKey(user.username);
    const clock = requestClock(req, res);
    const right = await ctx.limiter.guard(
      ctx.limits.loginFailuresPerUser,
      key,
      async () => (await ctx.passwords.verify(current, stored, clock)).ok,
      (ok) => !ok,
    );
    if (!right)
      throw await ctx.limiter.wrongAnswer(
        [[ctx.limits.loginFailuresPerUser, key]],
        'That is not your current password.',
        'current_password',
      );
    const hashed = await ctx.passwords.hash(next, clock);
    // Only over the hash just checked: a change made meanwhile elsewhere is not overwritten.
    const { modifiedCount } = await ctx.users.updateOne({ _id: user._id, hashed_password: stored }, { $set: { hashed_password: hashed } });
    if (modifiedCount !== 1) throw new HttpError(409, 'Your password was changed at this moment elsewhere. Please log in again.');
    const ended = await ctx.sessions.endAll(user.id, { sessionId: req.sessionID, handle: loginHandle(req) });
    const forgotten = await ctx.browsers.forgetAll(user.id, { req, res });
    await ctx.record(req, user.id, { type: 'password-changed' });
    res.json({ success: true, sessionsEnded: ended, browsersForgotten: forgotten });
  };

/**
 * POST /api/account/phone/start {country_code, phone_number, via}: a code to the new number,
 * by the provider's phone verification. The user's, the number's, the address's (also in
 * distinct numbers) and the app's send budgets apply.
 */
export const startPhoneChange =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const body = bodyOf(req);
    const phone = requirePhone(body);
    const via = requireString(body, 'via', rules.via) as 'sms' | 'call';
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Change the phone number', ctx.now());
    if (phone.e164 === user.phone) throw new HttpError(400, 'That is the number you have now.', 'phone_number');
    const send = { userId: user.id, number: phone.e164, address: clientAddressKey(req), anyNumber: true };
    const started = await ctx.sendBudget.guard(send, () => ctx.provider.startPhoneVerification(phone, via));
    rememberPhoneChange(req, phone, started.codeId);
    res.json({ success: true, message: started.message });
  };

/**
 * POST /api/account/phone/verify {token}: the code sent to the new number, checked against this
 * session's send (wrong ones count per number, as in phone verification); then the number is the
 * user's (with Authy, as a new Authy user).
 */
export const finishPhoneChange =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const code = requireString(bodyOf(req), 'token', rules.verificationCode);
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Change the phone number', ctx.now());
    const pending = pendingPhoneChange(req);
    if (!pending) throw new HttpError(409, 'Send a code to the new number first.', 'token');
    const { phone } = pending;
    const valid = await ctx.limiter.guard(
      ctx.limits.phoneFailures,
      phone.e164,
      () => ctx.provider.checkPhoneVerification(phone, code, pending.id),
      (ok) => !ok,
    );
    if (!valid) throw await ctx.limiter.wrongAnswer([[ctx.limits.phoneFailures, phone.e164]], 'That code is not valid.', 'token');
    const record = await ctx.provider.changePhone({ username: user.username, email: user.email, phone });
    await ctx.users.updateOne({ _id: user._id }, { $set: { phone: phone.e164, ...record } });
    forgetPhoneChange(req);
    const masked = maskE164(phone.e164);
    await ctx.record(req, user.id, { type: 'phone-changed', phone: masked });
    res.json({ success: true, phone: masked });
  };

/**
 * POST /api/account/authenticator/reset (Verify): a new authenticator app in place of the old,
 * whose codes stop working at once; its QR code is then shown until its first code. Authy enrols
 * its own app (409).
 */
export const resetAuthenticator =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Reset the authenticator app', ctx.now());
    const record = await ctx.provider.renewSoftToken(user);
    await ctx.users.updateOne({ _id: user._id }, { $set: record });
    await ctx.record(req, user.id, { type: 'authenticator-reset' });
    res.json({ success: true });
  };
