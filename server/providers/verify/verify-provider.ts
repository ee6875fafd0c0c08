// Twilio Verify v2 behind the provider boundary, through the official `twilio` library:
// - codes by SMS and call, and phone verification: Verifications, and a VerificationCheck by the
//   VerificationSid of the session's own send (never by phone number alone: anyone may start a
//   phone verification for a number, and its checks would use up the owner's);
// - soft tokens: a TOTP Factor on the user's Entity, created at registration; its first code
//   verifies it (the QR code is shown until then, to the sessions login-session.ts allows),
//   later codes are checked as Challenges;
// - push: a Challenge to the Entity's push Factor (which only the Verify Push SDK in a mobile
//   app can create), answered through the signed Verify webhook or read by polling.
// In sandbox mode `baseUrl` points the library's own request path at the embedded Verify.
import { randomBytes } from 'node:crypto';
import type Twilio from 'twilio';
import { isApprovalStatus } from '../../../common/approval-status';
import { formatInternational, maskE164 } from '../../../common/phone-number';
import { HttpError } from '../../http/errors';
import { parseFormBody } from '../../http/json-body';
import type { TwilioVerifyCredentials } from '../../platform/config';
import type { ProviderUser, TokenCheck, TwoFactorProvider } from '../provider';
import { TWILIO, twilioCode, verifyCall, verifyError } from './verify-error';
import type { VerifyRecord } from './verify-record';

/** Where Verify POSTs push events (the Service's webhook URL is PUBLIC_URL + this). */
export const VERIFY_WEBHOOK_PATH = '/api/accountsecurity/push/webhook';

export interface VerifyProviderOptions extends TwilioVerifyCredentials {
  /**
   * The soft token's FriendlyName, which Verify puts in the otpauth URI and authenticator apps
   * show beside the Service's name: the site's host name, never anything about the person.
   */
  factorName: string;
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

type VerifyUser = ProviderUser<VerifyRecord>;

function phoneOf(user: VerifyUser): string {
  if (!user.phone) throw new HttpError(409, NO_PHONE);
  return user.phone;
}

function entityOf(user: VerifyUser, missing: string) {
  if (!user.verify) throw new HttpError(409, missing);
  return user.verify;
}

export function createVerifyProvider(o: VerifyProviderOptions): TwoFactorProvider<VerifyRecord> {
  // Loaded here, so an app on Authy never loads the library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const twilio = require('twilio') as typeof Twilio;
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
  // Phone verification on a Service of its own when there is one: its Verifications (and their
  // checks) are then apart from the 2FA codes of the same numbers. See README, "Twilio Verify".
  const demoService = o.demoServiceSid ? client.verify.v2.services(o.demoServiceSid) : service;

  /**
   * A VerificationCheck of the Verification this session's send created: 'gone' when Verify no
   * longer has it pending (expired or used: 20404), 'exhausted' when its checks are used up (60202).
   */
  async function checkSent(
    on: typeof service,
    verificationSid: string,
    code: string,
  ): Promise<'approved' | 'wrong' | 'gone' | 'exhausted'> {
    try {
      const check = await on.verificationChecks.create({ verificationSid, code });
      return check.status === 'approved' ? 'approved' : 'wrong';
    } catch (err) {
      const code = twilioCode(err);
      if (code === TWILIO.notFound) return 'gone';
      if (code === TWILIO.maxCheckAttempts) return 'exhausted';
      throw verifyError(err);
    }
  }

  /** A new TOTP factor on the Entity; its seed (the otpauth URI) comes back this once. */
  async function newTotpFactor(identity: string) {
    const factor = await verifyCall(() => service.entities(identity).newFactors.create({ friendlyName: o.factorName, factorType: 'totp' }));
    const binding = factor.binding as { uri?: unknown } | undefined;
    if (typeof binding?.uri !== 'string' || !binding.uri.startsWith('otpauth://')) {
      throw new HttpError(502, 'Twilio Verify sent an answer we did not expect.');
    }
    return { verify: { identity, totpFactorSid: factor.sid, totpUri: binding.uri, totpCreatedAt: new Date(now()) } };
  }

  /**
   * The soft token's code. Our record may say "waiting for its first code" when Verify has
   * verified the factor already (the user update failed after Verify's answer, say): Verify
   * returns a verified factor unchanged whatever AuthPayload says, so its status is no answer
   * about a code. The factor is read first; a verified one checks the code as a Challenge. An
   * unverified one is verified by this code only where the session may enrol it (the route holds
   * the user's enrolment lock, so no other code is being tried on it meanwhile).
   */
  async function checkSoftToken(user: VerifyUser, token: string, mayEnrol: boolean): Promise<TokenCheck<VerifyRecord>> {
    const v = user.verify;
    if (!v || !TOTP_CODE.test(token)) return { valid: false };
    const entity = service.entities(v.identity);
    const challenge = async () =>
      (await verifyCall(() => entity.challenges.create({ factorSid: v.totpFactorSid, authPayload: token }))).status === 'approved';
    if (!v.totpUri) return { valid: await challenge() };
    const enrolled = { verify: { identity: v.identity, totpFactorSid: v.totpFactorSid } };
    const factor = await verifyCall(() => entity.factors(v.totpFactorSid).fetch());
    if (factor.status === 'verified') return { valid: await challenge(), record: enrolled };
    if (!mayEnrol) return { valid: false };
    const updated = await verifyCall(() => entity.factors(v.totpFactorSid).update({ authPayload: token }));
    return updated.status === 'verified' ? { valid: true, enrolled: true, record: enrolled } : { valid: false };
  }

  return {
    name: 'verify',
    // Verify serves a user in part: codes need only the phone, the soft token and push the
    // Entity, and each channel says what is missing.
    refusal: () => undefined,

    async register() {
      // The identity is ours and random: Verify asks for no personal data there.
      return newTotpFactor(randomBytes(16).toString('hex'));
    },

    // Codes go to users.phone; the Entity and its factors do not depend on the number.
    changePhone: () => Promise.resolve({}),

    pendingSoftToken: (user) =>
      user.verify?.totpUri ? { otpauthUri: user.verify.totpUri, createdAt: user.verify.totpCreatedAt ?? user.createdAt } : undefined,

    async renewSoftToken(user) {
      const v = entityOf(user, 'This account has no Twilio Verify entity, so it has no soft token to set up.');
      try {
        await service.entities(v.identity).factors(v.totpFactorSid).remove();
      } catch (err) {
        if (twilioCode(err) !== TWILIO.notFound) throw verifyError(err);
      }
      return newTotpFactor(v.identity);
    },

    async sendCode(user, channel) {
      const to = phoneOf(user);
      const verification = await verifyCall(() => service.verifications.create({ to, channel }));
      return {
        message: channel === 'sms' ? 'Code sent by SMS.' : 'Calling with a code.',
        cellphone: maskE164(to),
        codeId: verification.sid,
      };
    },

    async checkToken(user, token, { sentCodeId, mayEnrol }) {
      // A code this session had sent is checked first, then the soft token.
      if (sentCodeId) {
        const sent = await checkSent(service, sentCodeId, token);
        if (sent === 'approved') return { valid: true };
        // A new code is needed. The soft token is not tried instead: checks of a Verification
        // used up on purpose would otherwise be free tries at it.
        if (sent === 'gone' || sent === 'exhausted') return { valid: false, expired: true };
      }
      return checkSoftToken(user, token, mayEnrol);
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
      const verification = await verifyCall(() => demoService.verifications.create({ to: phone.e164, channel: via }));
      const to = formatInternational(phone.e164);
      return { message: via === 'sms' ? `Text message sent to ${to}.` : `Call to ${to} initiated.`, codeId: verification.sid };
    },

    async checkPhoneVerification(_phone, code, codeId) {
      // Only the Verification this session started: never whatever is pending for the number.
      const result = codeId === undefined ? 'gone' : await checkSent(demoService, codeId, code);
      if (result === 'gone')
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
