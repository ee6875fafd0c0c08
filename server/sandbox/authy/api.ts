// The Authy API subset the app uses (docs/architecture.md) at /sandbox/api: same paths, checks, answers and errors as
// Authy, so that authy-client (which checks every answer strictly) and the app's axios calls
// cannot tell the difference.
import express, { Router, type RequestHandler } from 'express';
import { digitsOnly } from '../../http/validate';
import type { Logger } from '../../platform/logger';
import { safeEqual } from '../../platform/safe-equal';
import { noStore, param } from '../shared/http';
import type { Channel } from '../shared/inbox';
import { effectiveStatus, recordOf, type Field } from '../shared/push-requests';
import { authyErrorHandler, authyNotFound, errors } from './errors';
import type { AuthySandbox } from './service';

const APP_NAME = 'Account Security Sandbox';
const APP_SERIAL_ID = 1;
/** A fixed app id in Authy's format (24 hex digits). */
const APP_ID = '5a5a5a5a5a5a5a5a5a5a5a5a';
const BODY_LIMIT = '10kb';
const MAX_DETAILS = 30;

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);
const dictOf = (v: unknown): Dict => (isDict(v) ? v : {});

/**
 * A request value as a string: strings (trimmed), and numbers where Authy takes numbers
 * (country codes, lengths). Anything else — objects such as {"$ne":null}, arrays — is a 400.
 * Absent or empty → undefined.
 */
function text(source: Dict, name: string, label = name, numeric = false): string | undefined {
  const v = source[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    if (v.length > 256) throw errors.invalidParameter(label);
    return v.trim() || undefined;
  }
  if (numeric && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw errors.invalidParameter(label);
}

function required(source: Dict, name: string, label = name, numeric = false): string {
  const v = text(source, name, label, numeric);
  if (v === undefined) throw errors.invalidParameter(label);
  return v;
}

const COUNTRY_CODE = /^\+?\d{1,4}$/;
const PHONE = /^[\d\s().-]{4,24}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** "+1" or 1 → "1"; undefined when not a country calling code. */
const countryCodeOf = (v: string | undefined) => (v !== undefined && COUNTRY_CODE.test(v) ? digitsOnly(v) : undefined);
/** National number digits (4–15) or undefined. */
function phoneOf(v: string | undefined): string | undefined {
  if (v === undefined || !PHONE.test(v)) return undefined;
  const d = digitsOnly(v);
  return d.length >= 4 && d.length <= 15 ? d : undefined;
}

/** Visible or hidden details: a flat object of short strings (numbers and booleans as text). */
function detailsOf(v: unknown, label: string): Field[] {
  if (v === undefined || v === null || v === '') return [];
  if (!isDict(v)) throw errors.invalidParameter(label);
  const entries = Object.entries(v);
  if (entries.length > MAX_DETAILS) throw errors.invalidParameter(label);
  return entries.map(([key, value]) => {
    if (key.length === 0 || key.length > 100) throw errors.invalidParameter(label);
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string' || value.length > 500) throw errors.invalidParameter(`${label}[${key}]`);
    return { label: key, value };
  });
}

/** X-Authy-API-Key must be the sandbox's key (compared in constant time), else 401 like Authy. */
function requireApiKey(apiKey: string): RequestHandler {
  return (req, _res, next) => {
    const given = req.get('x-authy-api-key');
    next(given && safeEqual(given, apiKey) ? undefined : errors.invalidApiKey());
  };
}

export function authyApiRoutes(service: AuthySandbox, opts: { apiKey: string; logger: Logger }): Router {
  const api = Router();
  api.use(noStore);
  api.use(requireApiKey(opts.apiKey));
  api.use(express.json({ limit: BODY_LIMIT, strict: true }));
  // (a variable: @types/body-parser does not know `depth` yet)
  const urlencoded = { extended: true, limit: BODY_LIMIT, parameterLimit: 100, depth: 3 };
  api.use(express.urlencoded(urlencoded));

  // POST /protected/json/users/new {user:{email, cellphone, country_code}}
  api.post('/protected/json/users/new', async (req, res) => {
    const user = dictOf(req.body).user;
    if (!isDict(user)) throw errors.userNotValid({ email: 'is invalid', cellphone: 'is invalid', country_code: 'is invalid' });
    const invalid: Record<string, string> = {};
    const email = text(user, 'email', 'user[email]');
    const countryCode = countryCodeOf(text(user, 'country_code', 'user[country_code]', true));
    const cellphone = phoneOf(text(user, 'cellphone', 'user[cellphone]', true));
    if (email === undefined || email.length > 254 || !EMAIL.test(email)) invalid.email = 'is invalid';
    if (countryCode === undefined) invalid.country_code = 'is invalid';
    if (cellphone === undefined) invalid.cellphone = 'is invalid';
    if (Object.keys(invalid).length > 0 || !email || !countryCode || !cellphone) throw errors.userNotValid(invalid);

    const created = await service.registerUser({ email, countryCode, cellphone });
    res.json({ message: 'User created successfully.', user: { id: Number(created.authyId) }, success: true });
  });

  // GET /protected/json/sms/:authyId and /call/:authyId (force, action, action_message ignored)
  const send =
    (channel: Channel): RequestHandler =>
    async (req, res) => {
      const { cellphone } = await service.sendCode(param(req, 'authyId'), channel);
      res.json({
        success: true,
        message: channel === 'sms' ? 'SMS token was sent' : 'Call started...',
        cellphone,
        device: null,
        ignored: false,
      });
    };
  api.get('/protected/json/sms/:authyId', send('sms'));
  api.get('/protected/json/call/:authyId', send('call'));

  // GET /protected/json/verify/:token/:authyId
  api.get('/protected/json/verify/:token/:authyId', async (req, res) => {
    if (!(await service.verifyToken(param(req, 'authyId'), param(req, 'token')))) throw errors.tokenInvalid();
    res.json({ message: 'Token is valid.', token: 'is valid', success: true, device: null });
  });

  // POST /onetouch/json/users/:authyId/approval_requests
  api.post('/onetouch/json/users/:authyId/approval_requests', async (req, res) => {
    const body = dictOf(req.body);
    const message = required(body, 'message');
    if (message.length > 144) throw errors.invalidParameter('message');
    const ttlText = text(body, 'seconds_to_expire', 'seconds_to_expire', true);
    if (ttlText !== undefined && !/^\d{1,9}$/.test(ttlText)) throw errors.invalidParameter('seconds_to_expire');
    const logos = body.logos;
    if (logos !== undefined && logos !== null && !Array.isArray(logos)) throw errors.invalidParameter('logos');

    const approval = await service.createApproval(param(req, 'authyId'), {
      message,
      details: detailsOf(body.details, 'details'),
      hiddenDetails: detailsOf(body.hidden_details, 'hidden_details'),
      secondsToExpire: ttlText === undefined ? undefined : Number(ttlText),
    });
    res.json({ approval_request: { uuid: approval.id }, success: true });
  });

  // GET /onetouch/json/approval_requests/:uuid
  api.get('/onetouch/json/approval_requests/:uuid', async (req, res) => {
    const approval = await service.findApproval(param(req, 'uuid'));
    if (!approval) throw errors.approvalRequestNotFound();
    const user = await service.findUser(approval.account);
    const status = effectiveStatus(approval, service.now());
    res.json({
      approval_request: {
        _app_name: APP_NAME,
        _app_serial_id: APP_SERIAL_ID,
        _authy_id: Number(approval.account),
        _id: approval._id.toHexString(),
        _user_email: user?.email ?? 'unknown@sandbox.invalid',
        app_id: APP_ID,
        created_at: approval.createdAt.toISOString(),
        details: recordOf(approval.details),
        hidden_details: recordOf(approval.hiddenDetails ?? []),
        logos: null,
        message: approval.message,
        notified: false,
        processed_at: approval.decidedAt ? approval.decidedAt.toISOString() : null,
        seconds_to_expire: approval.extra.secondsToExpire,
        status,
        updated_at: approval.updatedAt.toISOString(),
        user_id: user ? user._id.toHexString() : approval._id.toHexString(),
        uuid: approval.id,
      },
      success: true,
    });
  });

  // POST /protected/json/phones/verification/start {via, phone_number, country_code, code_length?, locale?}
  api.post('/protected/json/phones/verification/start', async (req, res) => {
    const body = dictOf(req.body);
    const via = required(body, 'via');
    if (via !== 'sms' && via !== 'call') throw errors.invalidParameter('via');
    const countryCode = countryCodeOf(required(body, 'country_code', 'country_code', true));
    const phone = phoneOf(required(body, 'phone_number', 'phone_number', true));
    if (!countryCode || !phone) throw errors.phoneInvalid();
    const lengthText = text(body, 'code_length', 'code_length', true);
    const codeLength = lengthText === undefined ? 4 : Number(lengthText);
    if (!Number.isInteger(codeLength) || codeLength < 4 || codeLength > 10) throw errors.invalidParameter('code_length');
    text(body, 'locale');

    const to = await service.startVerification({ countryCode, phone, via, codeLength });
    res.json({
      carrier: 'Sandbox',
      is_cellphone: true,
      is_ported: false,
      message: via === 'sms' ? `Text message sent to ${to}.` : `Call to ${to} initiated.`,
      seconds_to_expire: 600,
      success: true,
    });
  });

  // GET /protected/json/phones/verification/check?phone_number&country_code&verification_code
  api.get('/protected/json/phones/verification/check', async (req, res) => {
    const query = dictOf(req.query);
    const countryCode = countryCodeOf(required(query, 'country_code'));
    const phone = phoneOf(required(query, 'phone_number'));
    const code = required(query, 'verification_code');
    if (!countryCode || !phone) throw errors.phoneInvalid();
    if (!/^\d{4,10}$/.test(code)) throw errors.verificationIncorrect();
    await service.checkVerification({ countryCode, phone, code });
    res.json({ message: 'Verification code is correct.', success: true });
  });

  api.use(authyNotFound);
  api.use(authyErrorHandler(opts.logger));
  return api;
}
