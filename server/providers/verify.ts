// Twilio Verify v2 behind the provider boundary, through the official `twilio` library:
// - codes by SMS and call, and phone verification: Verifications and VerificationCheck;
// - soft tokens: a TOTP Factor on the user's Entity, created at registration; its first code
//   verifies it (the QR code is shown until then), later codes are checked as Challenges;
// - push: a Challenge to the Entity's push Factor (which only the Verify Push SDK in a mobile
//   app can create), answered through the signed Verify webhook or read by polling.
// In sandbox mode `baseUrl` points the library's own request path at the embedded Verify.
import { randomBytes } from 'node:crypto';
import { parseFormBody } from '../http/json-body';
import twilio from 'twilio';
import { isApprovalStatus } from '../../common/approval-status';
import { formatInternational, maskE164 } from '../../common/phone-number';
import type { TwilioVerifyCredentials } from '../platform/config';
import { HttpError } from '../http/errors';
import type { ProviderUser, TwoFactorProvider } from './provider';
import { TWILIO, twilioCode, verifyCall, verifyError } from './verify-error';

/** Where Verify POSTs push events (the Service's webhook URL is PUBLIC_URL + this). */
export const VERIFY_WEBHOOK_PATH = '/api/accountsecurity/push/webhook';

export interface VerifyProviderOptions extends TwilioVerifyCredentials {
  /** The Verify API's base URL when it is not Twilio's (the sandbox). */
  baseUrl?: string;
  timeoutMs?: number;
  /** Reuse connections (default true; nock in tests cannot answer keep-alive requests). */
  keepAlive?: boolean;
  now?: () => number;
}

/** Verify takes TOTP codes of 3 to 8 characters (6 by default). */
const TOTP_CODE = /^\d{3,8}$/;

const NO_PHONE = 'This account has no phone number on file, so no code can be sent. Register again to add one.';
const NO_PUSH_DEVICE =
  'Push needs the Verify Push SDK in a mobile app, and no device is enrolled for this account. Use a code or the soft token instead.';

function phoneOf(user: ProviderUser): string {
  if (!user.phone) throw new HttpError(409, NO_PHONE);
  return user.phone;
}

function entityOf(user: ProviderUser, missing: string) {
  if (!user.verify) throw new HttpError(409, missing);
  return user.verify;
}

export function createVerifyProvider(o: VerifyProviderOptions): TwoFactorProvider {
  const now = o.now ?? Date.now;
  // logLevel: the library's debug log writes requests to the console, past our log redaction.
  const client = twilio(o.accountSid, o.authToken, { timeout: o.timeoutMs ?? 10_000, keepAlive: o.keepAlive ?? true, logLevel: 'info' });
  if (o.baseUrl) {
    // TWILIO_EDGE / TWILIO_REGION would rewrite the sandbox's host as if it were Twilio's.
    client.edge = undefined;
    client.region = undefined;
    client.verify.baseUrl = o.baseUrl;
  }
  const service = client.verify.v2.services(o.serviceSid);

  /** A VerificationCheck: 'none' when no verification is pending for the number (unknown, expired, used), 'exhausted' after 5 checks. */
  async function checkCode(to: string, code: string): Promise<'approved' | 'pending' | 'none' | 'exhausted'> {
    try {
      const check = await service.verificationChecks.create({ to, code });
      return check.status === 'approved' ? 'approved' : 'pending';
    } catch (err) {
      const code = twilioCode(err);
      if (code === TWILIO.notFound) return 'none';
      if (code === TWILIO.maxCheckAttempts) return 'exhausted';
      throw verifyError(err);
    }
  }

  return {
    name: 'verify',

    async register({ username }) {
      // The identity is ours and random: Verify asks for no personal data there.
      const identity = randomBytes(16).toString('hex');
      const factor = await verifyCall(() => service.entities(identity).newFactors.create({ friendlyName: username, factorType: 'totp' }));
      const binding = factor.binding as { uri?: unknown } | undefined;
      if (typeof binding?.uri !== 'string' || !binding.uri.startsWith('otpauth://')) {
        throw new HttpError(502, 'Twilio Verify sent an answer we did not expect.');
      }
      return { verify: { identity, totpFactorSid: factor.sid, totpUri: binding.uri } };
    },

    pendingSoftToken: (user) => (user.verify?.totpUri ? { otpauthUri: user.verify.totpUri } : undefined),

    async sendCode(user, channel) {
      const to = phoneOf(user);
      await verifyCall(() => service.verifications.create({ to, channel }));
      return { message: channel === 'sms' ? 'Code sent by SMS.' : 'Calling with a code.', cellphone: maskE164(to) };
    },

    async checkToken(user, token) {
      // A code sent by SMS or call is checked first (none may be pending), then the soft token.
      if (user.phone && (await checkCode(user.phone, token)) === 'approved') return { valid: true };
      const v = user.verify;
      if (!v || !TOTP_CODE.test(token)) return { valid: false };
      const entity = service.entities(v.identity);
      if (v.totpUri) {
        // The first code verifies the factor; from then on its QR code is never shown again.
        const factor = await verifyCall(() => entity.factors(v.totpFactorSid).update({ authPayload: token }));
        if (factor.status !== 'verified') return { valid: false };
        return { valid: true, record: { verify: { identity: v.identity, totpFactorSid: v.totpFactorSid } } };
      }
      const challenge = await verifyCall(() => entity.challenges.create({ factorSid: v.totpFactorSid, authPayload: token }));
      return { valid: challenge.status === 'approved' };
    },

    async createPush(user, request) {
      const entity = service.entities(entityOf(user, NO_PUSH_DEVICE).identity);
      const factors = await verifyCall(() => entity.factors.list({ limit: 20 }));
      const device = factors.find((f) => f.factorType === 'push' && f.status === 'verified');
      if (!device) throw new HttpError(409, NO_PUSH_DEVICE);
      const challenge = await verifyCall(() =>
        entity.challenges.create({
          factorSid: device.sid,
          'details.message': request.message,
          'details.fields': Object.entries(request.details).map(([label, value]) => ({ label, value })),
          hiddenDetails: request.hiddenDetails,
          expirationDate: new Date(now() + request.ttlSeconds * 1000),
        }),
      );
      return challenge.sid;
    },

    async pushStatus(user, sid) {
      const entity = service.entities(entityOf(user, NO_PUSH_DEVICE).identity);
      const challenge = await verifyCall(() => entity.challenges(sid).fetch());
      if (!isApprovalStatus(challenge.status)) throw new HttpError(502, 'Twilio Verify sent an answer we did not expect.');
      return challenge.status;
    },

    async startPhoneVerification(phone, via) {
      await verifyCall(() => service.verifications.create({ to: phone.e164, channel: via }));
      const to = formatInternational(phone.e164);
      return via === 'sms' ? `Text message sent to ${to}.` : `Call to ${to} initiated.`;
    },

    async checkPhoneVerification(phone, code) {
      const result = await checkCode(phone.e164, code);
      if (result === 'none')
        throw new HttpError(404, 'No code is waiting for this number (it expired or was used): send a new one.', 'token');
      if (result === 'exhausted')
        throw new HttpError(429, 'Too many wrong codes for this number. Please try again in 10 minutes.', 'token');
      return result === 'approved';
    },

    callback: {
      path: VERIFY_WEBHOOK_PATH,
      // Verify posts form-encoded; keys stay flat ("challenge_details"), as the signature covers them.
      parseBody: parseFormBody(false),
      isSigned(req, url) {
        const signature = req.get('x-twilio-signature');
        const params = (req.body ?? {}) as Record<string, unknown>;
        return !!signature && twilio.validateRequest(o.authToken, signature, url, params);
      },
      deliveryId(req) {
        const uuid = (req.body as { uuid?: unknown } | undefined)?.uuid;
        return typeof uuid === 'string' && uuid.length > 0 && uuid.length <= 128 ? `event:${uuid}` : undefined;
      },
      answer(body) {
        const { type, challenge_sid: sid } = (body ?? {}) as { type?: unknown; challenge_sid?: unknown };
        if (typeof type !== 'string') return undefined;
        if (type !== 'challenge.approved' && type !== 'challenge.denied') return 'ignored';
        if (typeof sid !== 'string' || sid === '') return undefined;
        return { id: sid, status: type === 'challenge.approved' ? 'approved' : 'denied' };
      },
    },
  };
}
