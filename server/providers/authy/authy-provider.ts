// The Authy API behind the provider boundary: the original quickstart's calls (authy-api.ts)
// and its signed OneTouch callback, with the same answers and JSON as before the boundary existed.
import { parseFormBody } from '../../http/json-body';
import { HttpError } from '../../http/errors';
import type { ProviderUser, TwoFactorProvider } from '../provider';
import { createAuthyApi, type AuthyApiOptions } from './authy-api';
import { authyRecord, type AuthyRecord } from './authy-record';
import { isValidSignature } from './signature';

/** Where Authy POSTs OneTouch answers (the application's callback URL is PUBLIC_URL + this). */
export const AUTHY_CALLBACK_PATH = '/api/accountsecurity/onetouch/callback';

const FINAL_STATUSES = new Set(['approved', 'denied']);

type AuthyUser = ProviderUser<AuthyRecord>;

/**
 * Why Authy can do nothing for a user without an Authy id. The original quickstart saved a user
 * before Authy answered, with no phone: that user is told to register again. A user with a
 * phone and no Authy id was registered with the other provider.
 */
const withoutAuthyId = (user: AuthyUser) =>
  user.phone
    ? 'This account was not registered with Authy, the 2FA service this app now uses.'
    : 'This account has no Authy id; please register again.';

/** The user's Authy id (the routes ask `refusal` first). */
function authyIdOf(user: AuthyUser): string {
  if (!user.authyId) throw new HttpError(409, withoutAuthyId(user));
  return user.authyId;
}

export function createAuthyProvider(options: AuthyApiOptions): TwoFactorProvider<AuthyRecord> {
  const authy = createAuthyApi(options);
  return {
    name: 'authy',
    refusal: (user) => (authyRecord.isHeldBy(user) ? undefined : withoutAuthyId(user)),

    async register({ email, phone }) {
      return { authyId: await authy.registerUser({ email, phone: phone.national, countryCode: phone.callingCode }) };
    },

    // Authy knows a user by the number: the new one is a new Authy user (its app enrols itself again).
    async changePhone({ email, phone }) {
      return { authyId: await authy.registerUser({ email, phone: phone.national, countryCode: phone.callingCode }) };
    },

    // The Authy app enrols itself: nothing to show on /2fa.
    pendingSoftToken: () => undefined,

    renewSoftToken: () => Promise.reject(new HttpError(409, 'Authy enrols its app itself: there is nothing to set up here.')),

    sendCode(user, channel) {
      const authyId = authyIdOf(user);
      return channel === 'sms' ? authy.requestSms(authyId) : authy.requestCall(authyId);
    },

    async checkToken(user, token) {
      return { valid: await authy.verifyToken(authyIdOf(user), token) };
    },

    createPush(user, request) {
      const authyId = authyIdOf(user);
      // The original showed the Authy ID first.
      const visibleDetails = { 'Authy ID': authyId, ...request.details };
      return authy.createApprovalRequest(authyId, {
        message: request.message,
        visibleDetails,
        hiddenDetails: request.hiddenDetails,
        ttlSeconds: request.ttlSeconds,
      });
    },

    pushStatus: (_user, uuid) => authy.getApprovalStatus(uuid),

    // Authy's phone verification is its own API, checked by number: it never touches a 2FA code.
    startPhoneVerification: async (phone, via) => ({
      message: await authy.startPhoneVerification({ via, phone: phone.national, countryCode: phone.callingCode }),
    }),

    checkPhoneVerification: (phone, code) => authy.checkPhoneVerification({ phone: phone.national, countryCode: phone.callingCode, code }),

    callback: {
      path: AUTHY_CALLBACK_PATH,
      parseBody: parseFormBody(),
      isSigned(req, url) {
        const signature = req.get('x-authy-signature');
        const nonce = req.get('x-authy-signature-nonce');
        return (
          !!signature &&
          !!nonce &&
          nonce.length <= 128 &&
          isValidSignature(options.apiKey, { nonce, method: 'POST', url, body: req.body ?? {} }, signature)
        );
      },
      // Authy signs each callback with a fresh nonce.
      deliveryId: (req) => `nonce:${req.get('x-authy-signature-nonce')}`,
      answer(body) {
        const { uuid, status } = (body ?? {}) as { uuid?: unknown; status?: unknown };
        if (typeof uuid !== 'string' || typeof status !== 'string' || !FINAL_STATUSES.has(status)) return undefined;
        return { id: uuid, status: status as 'approved' | 'denied' };
      },
    },
  };
}
