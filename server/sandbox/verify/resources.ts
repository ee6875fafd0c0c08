// The JSON Verify answers with, field for field (snake_case, dates in ISO 8601 without
// milliseconds, `url` the resource's own address), for each resource the sandbox serves.
import { effectiveStatus, recordOf } from '../shared/push-requests';
import { TOTP_DIGITS, TOTP_PERIOD_S } from '../shared/totp';
import type { VerifyChallenge, VerifyFactor, VerifyVerification } from './models';

/** "2020-07-01T12:13:14Z" */
export const isoDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Where the sandbox's Verify answers this request ("http://127.0.0.1:1337/sandbox/verify/v2"). */
export type UrlOf = (path: string) => string;

export interface Account {
  accountSid: string;
  serviceSid: string;
}

/** What a Verification and a VerificationCheck both say. */
function verificationFields(a: Account, v: VerifyVerification) {
  return {
    sid: v.sid,
    service_sid: a.serviceSid,
    account_sid: a.accountSid,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === 'approved',
    amount: null,
    payee: null,
    date_created: isoDate(v.createdAt),
    date_updated: isoDate(v.updatedAt),
  };
}

export function verificationJson(a: Account, v: VerifyVerification, urlOf: UrlOf) {
  return {
    ...verificationFields(a, v),
    lookup: { carrier: null },
    send_code_attempts: v.sendCodeAttempts.map((s) => ({ attempt_sid: s.attemptSid, channel: s.channel, time: isoDate(s.time) })),
    sna: null,
    url: urlOf(`/Services/${a.serviceSid}/Verifications/${v.sid}`),
  };
}

export const verificationCheckJson = (a: Account, v: VerifyVerification) => ({ ...verificationFields(a, v), sna_attempts_error_codes: [] });

export function factorJson(a: Account, f: VerifyFactor, urlOf: UrlOf, binding?: { secret: string; uri: string }) {
  const config =
    f.factorType === 'totp'
      ? { alg: 'sha1', skew: 1, code_length: TOTP_DIGITS, time_step: TOTP_PERIOD_S }
      : { sdk_version: null, app_id: 'sandbox.phone', notification_platform: 'none', notification_token: null };
  return {
    sid: f.sid,
    account_sid: a.accountSid,
    service_sid: a.serviceSid,
    entity_sid: f.entitySid,
    identity: f.identity,
    // Verify returns the binding (and `options`) only when the factor is created.
    ...(binding ? { binding, options: null } : {}),
    date_created: isoDate(f.createdAt),
    date_updated: isoDate(f.updatedAt),
    friendly_name: f.friendlyName,
    status: f.status,
    factor_type: f.factorType,
    config,
    metadata: null,
    url: urlOf(`/Services/${a.serviceSid}/Entities/${f.identity}/Factors/${f.sid}`),
  };
}

export function challengeJson(a: Account, c: VerifyChallenge, now: Date, urlOf: UrlOf) {
  const url = urlOf(`/Services/${a.serviceSid}/Entities/${c.identity}/Challenges/${c.sid}`);
  const status = effectiveStatus({ status: c.status, pendingUntil: c.expirationDate }, now);
  return {
    sid: c.sid,
    account_sid: a.accountSid,
    service_sid: a.serviceSid,
    entity_sid: c.entitySid,
    identity: c.identity,
    factor_sid: c.factorSid,
    date_created: isoDate(c.createdAt),
    date_updated: isoDate(c.updatedAt),
    date_responded: c.respondedAt ? isoDate(c.respondedAt) : null,
    expiration_date: isoDate(c.expirationDate),
    status,
    responded_reason: c.respondedAt ? 'none' : null,
    details: { message: c.message, date: isoDate(c.createdAt), fields: c.fields.map(({ label, value }) => ({ label, value })) },
    hidden_details: c.hiddenDetails ? recordOf(c.hiddenDetails) : null,
    metadata: null,
    factor_type: c.factorType,
    url,
    links: { notifications: `${url}/Notifications` },
  };
}

/** A list page: everything fits on one (Verify allows at most 20 push and 100 TOTP factors per entity). */
export function pageJson<T>(key: string, items: T[], url: string) {
  return {
    [key]: items,
    meta: { page: 0, page_size: Math.max(items.length, 50), first_page_url: url, previous_page_url: null, url, next_page_url: null, key },
  };
}
