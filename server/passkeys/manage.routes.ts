// A person's passkeys after 2FA: the list, a new name, removal (after a fresh check).
import type { Done, PasskeyAnswer, PasskeyRenameRequest } from '../../common/api';
import { MAX_PASSKEY_NAME_LENGTH, MAX_PASSKEYS, type PasskeyList } from '../../common/passkey-info';
import { recordSecurityEvent } from '../auth/login-events';
import { requireFreshCheck } from '../auth/login-session';
import { HttpError } from '../http/errors';
import { bodyOf, requireString } from '../http/validate';
import { summaryOf } from './passkey-store';
import type { PasskeyContext, PasskeyHandler } from './route-context';

const NAME_RULE = {
  label: 'Name',
  max: MAX_PASSKEY_NAME_LENGTH,
  pattern: /^[^\p{Cc}]+$/u,
  patternMessage: 'Name may not contain control characters.',
};
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1400}$/;
const NOT_FOUND = 'No such passkey.';

/** GET /api/passkeys */
export const listPasskeys =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyList> =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    res.json({ passkeys: (await ctx.passkeys.list(user.id)).map(summaryOf), max: MAX_PASSKEYS });
  };

/** PATCH /api/passkeys/:id {name} */
export const renamePasskey =
  (ctx: PasskeyContext): PasskeyHandler<PasskeyAnswer, { id: string }> =>
  async (req, res) => {
    const name = requireString(bodyOf<PasskeyRenameRequest>(req), 'name', NAME_RULE);
    const user = await ctx.currentUser(req);
    const record = CREDENTIAL_ID.test(req.params.id) ? await ctx.passkeys.rename(user.id, req.params.id, name) : null;
    if (!record) throw new HttpError(404, NOT_FOUND);
    res.json({ passkey: summaryOf(record) });
  };

/** DELETE /api/passkeys/:id */
export const removePasskey =
  (ctx: PasskeyContext): PasskeyHandler<Done, { id: string }> =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Remove a passkey', ctx.now());
    const removed = CREDENTIAL_ID.test(req.params.id) ? await ctx.passkeys.remove(user.id, req.params.id) : null;
    if (!removed) throw new HttpError(404, NOT_FOUND);
    await recordSecurityEvent(req, { type: 'passkey-removed', name: removed.name });
    res.json({ success: true });
  };
