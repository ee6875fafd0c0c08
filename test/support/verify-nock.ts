// Twilio Verify v2's answers as documented, for nock at Twilio's own host (the one the `twilio`
// library calls). Only that host is faked; requests must carry the test account's Basic auth.
import nock from 'nock';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, TEST_VERIFY_SERVICE_SID, VERIFY_URL } from './app';

const SERVICE = `/v2/Services/${TEST_VERIFY_SERVICE_SID}`;
const DATE = '2026-01-01T12:00:00Z';
const sid = (prefix: string, n: number) => prefix + String(n).padStart(32, '0');

export const verifyPaths = {
  verifications: `${SERVICE}/Verifications`,
  check: `${SERVICE}/VerificationCheck`,
  /** Any entity's new factor (the app picks a random identity). */
  newFactor: new RegExp(`^${SERVICE}/Entities/[0-9a-f]{32}/Factors$`),
  factors: (identity: string) => `${SERVICE}/Entities/${identity}/Factors`,
  factor: (identity: string, factorSid: string) => `${SERVICE}/Entities/${identity}/Factors/${factorSid}`,
  challenges: (identity: string) => `${SERVICE}/Entities/${identity}/Challenges`,
  challenge: (identity: string, challengeSid: string) => `${SERVICE}/Entities/${identity}/Challenges/${challengeSid}`,
};

const BASIC = `Basic ${Buffer.from(`${TEST_TWILIO_ACCOUNT_SID}:${TEST_TWILIO_AUTH_TOKEN}`).toString('base64')}`;

/** Requests from the `twilio` library with the test account's credentials. */
export function verifyScope() {
  return nock(VERIFY_URL, { reqheaders: { authorization: BASIC, 'user-agent': /^twilio-node\// } });
}

const common = { account_sid: TEST_TWILIO_ACCOUNT_SID, service_sid: TEST_VERIFY_SERVICE_SID, date_created: DATE, date_updated: DATE };

/** The identity in a path such as /v2/Services/VA…/Entities/{identity}/Factors. */
export const identityIn = (uri: string) => /\/Entities\/([^/]+)\//.exec(uri)?.[1] ?? '';

export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export const verifyReplies = {
  verification: (to: string, channel: 'sms' | 'call') => ({
    ...common,
    sid: sid('VE', 1),
    to,
    channel,
    status: 'pending',
    valid: false,
    lookup: { carrier: null },
    send_code_attempts: [{ attempt_sid: sid('VL', 1), channel, time: DATE }],
    url: `${VERIFY_URL}${SERVICE}/Verifications/${sid('VE', 1)}`,
  }),
  check: (to: string, status: 'approved' | 'pending') => ({
    ...common,
    sid: sid('VE', 1),
    to,
    channel: 'sms',
    status,
    valid: status === 'approved',
    sna_attempts_error_codes: [],
  }),
  newFactor: (identity: string, factorSid: string, name = 'user') => ({
    ...common,
    sid: factorSid,
    entity_sid: sid('YE', 1),
    identity,
    binding: {
      secret: TOTP_SECRET,
      uri: `otpauth://totp/Account%20Security:${name}?secret=${TOTP_SECRET}&issuer=Account%20Security&algorithm=SHA1&digits=6&period=30`,
    },
    friendly_name: name,
    status: 'unverified',
    factor_type: 'totp',
    config: { alg: 'sha1', skew: 1, code_length: 6, time_step: 30 },
    url: `${VERIFY_URL}${SERVICE}/Entities/${identity}/Factors/${factorSid}`,
  }),
  factor: (identity: string, factorSid: string, status: 'verified' | 'unverified', type: 'totp' | 'push' = 'totp') => ({
    ...common,
    sid: factorSid,
    entity_sid: sid('YE', 1),
    identity,
    friendly_name: type === 'push' ? 'Pixel 9' : 'user',
    status,
    factor_type: type,
    config: type === 'push' ? { app_id: 'com.example.app', notification_platform: 'fcm' } : { alg: 'sha1', skew: 1, code_length: 6 },
    url: `${VERIFY_URL}${SERVICE}/Entities/${identity}/Factors/${factorSid}`,
  }),
  factorsPage: (identity: string, factors: object[]) => ({
    factors,
    meta: {
      page: 0,
      page_size: 50,
      first_page_url: `${VERIFY_URL}${SERVICE}/Entities/${identity}/Factors?PageSize=50&Page=0`,
      previous_page_url: null,
      url: `${VERIFY_URL}${SERVICE}/Entities/${identity}/Factors?PageSize=50&Page=0`,
      next_page_url: null,
      key: 'factors',
    },
  }),
  challenge: (
    identity: string,
    challengeSid: string,
    status: 'pending' | 'approved' | 'denied' | 'expired',
    type: 'totp' | 'push' = 'push',
  ) => ({
    ...common,
    sid: challengeSid,
    entity_sid: sid('YE', 1),
    identity,
    factor_sid: sid('YF', type === 'push' ? 2 : 1),
    date_responded: status === 'pending' ? null : DATE,
    expiration_date: '2026-01-01T12:02:00Z',
    status,
    responded_reason: status === 'pending' ? null : 'none',
    details: { message: 'Login requested for an Authy Demo account.', date: DATE, fields: [] },
    hidden_details: { test: 'This is a' },
    factor_type: type,
    url: `${VERIFY_URL}${SERVICE}/Entities/${identity}/Challenges/${challengeSid}`,
    links: { notifications: `${VERIFY_URL}${SERVICE}/Entities/${identity}/Challenges/${challengeSid}/Notifications` },
  }),
  /** Twilio's error body (the library raises a RestException with this code). */
  error: (status: number, code: number, message: string) => ({
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  }),
};

export const verifySids = {
  factor: (n: number) => sid('YF', n),
  challenge: (n: number) => sid('YC', n),
  verification: (n: number) => sid('VE', n),
};
