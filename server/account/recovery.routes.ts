// Recovery codes: the first set when a person first reaches /protected, a new set on demand
// (the old one void), and a code in place of the second factor at /2fa.
import type { RequestHandler } from 'express';
import type { ExistingRecoveryCodes, NewRecoveryCodes, RecoveryCodeUsed } from '../../common/account-api';
import { passSecondFactor, requireFreshCheck, requireRecentSecondFactor } from '../auth/login-session';
import { bodyOf, requireString } from '../http/validate';
import type { AccountContext } from './account-context';

const CODE_RULE = {
  label: 'Recovery code',
  max: 40,
  pattern: /^[0-9A-Za-z\s-]+$/,
  patternMessage: 'A recovery code has letters, digits and dashes only.',
};

/**
 * POST /api/account/recovery-codes/first: the first set, shown once (/protected asks each time it
 * opens); `{codes: null}` once there is one. It comes with passing 2FA, so it needs a second
 * factor within the last few minutes (the soft token's enrolling code counts here).
 */
export const firstRecoveryCodes =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    const existing = await ctx.recovery.status(user.id);
    const none = (remaining: number): ExistingRecoveryCodes => ({ codes: null, remaining });
    if (existing) return void res.json(none(existing.remaining));
    requireRecentSecondFactor(req, 'Get your recovery codes', ctx.now());
    const codes = await ctx.recovery.generate(user.id, { first: true });
    if (!codes) return void res.json(none((await ctx.recovery.status(user.id))?.remaining ?? 0));
    await ctx.record(req, user.id, { type: 'recovery-codes-generated', first: true });
    res.json({ codes } satisfies NewRecoveryCodes);
  };

/** POST /api/account/recovery-codes: a new set, shown once; the old codes stop working. */
export const newRecoveryCodes =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Generate new recovery codes', ctx.now());
    const codes = (await ctx.recovery.generate(user.id))!;
    await ctx.record(req, user.id, { type: 'recovery-codes-generated', first: false });
    res.json({ codes } satisfies NewRecoveryCodes);
  };

/**
 * POST /api/account/recovery-codes/use {code}: a recovery code as the second factor (or as a
 * fresh check after it). Wrong ones count against the same per-user limit as wrong tokens.
 */
export const useRecoveryCode =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const code = requireString(bodyOf(req), 'code', CODE_RULE);
    const user = await ctx.currentUser(req);
    const used = await ctx.limiter.guard(
      ctx.limits.tokenFailures,
      user.id,
      () => ctx.recovery.use(user.id, code),
      (r) => r === null,
    );
    ctx.metrics.secondFactor('recovery_code', used ? 'success' : 'failure');
    if (!used)
      throw await ctx.limiter.wrongAnswer(
        [[ctx.limits.tokenFailures, user.id]],
        'That recovery code is not valid, or it was used already.',
        'code',
      );
    await ctx.record(req, user.id, { type: 'recovery-code-used', remaining: used.remaining });
    await passSecondFactor(req, ctx.now(), { how: 'recovery-code' });
    res.json({ success: true, remaining: used.remaining } satisfies RecoveryCodeUsed);
  };
