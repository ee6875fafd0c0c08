// The Twilio Verify v2 subset the app uses, at /sandbox/verify/v2 (Verify's base is
// https://verify.twilio.com/v2): the same paths, form-encoded parameters, HTTP Basic auth with
// the account SID and auth token, JSON answers and error codes, so that the `twilio` library
// (which the app's Verify provider uses) cannot tell the difference.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../../platform/logger';
import { safeEqual } from '../../platform/safe-equal';
import { noStore, param } from '../shared/http';
import { pairsOf, type Field } from '../shared/push-requests';
import { twilioErrorHandler, twilioErrors, twilioNotFound } from './errors';
import { challengeJson, factorJson, pageJson, verificationCheckJson, verificationJson, type UrlOf } from './resources';
import type { VerifySandbox } from './service';

const BODY_LIMIT = '10kb';
const E164 = /^\+[1-9]\d{6,14}$/;
/** Verify: 8 to 64 characters, alphanumeric separated by dashes. */
const IDENTITY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{6,62})[A-Za-z0-9]$/;
const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);
const MAX_FIELDS = 20;

type Form = Record<string, string | string[] | undefined>;

/** One form value: absent → undefined; repeated where one is expected → 60200. */
function value(form: Form, name: string, max = 1024): string | undefined {
  const v = form[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw twilioErrors.invalidParameter(name);
  return v;
}

function required(form: Form, name: string, max?: number): string {
  const v = value(form, name, max);
  if (v === undefined) throw twilioErrors.invalidParameter(name);
  return v;
}

const formOf = (req: Request): Form => (req.body !== null && typeof req.body === 'object' ? (req.body as Form) : {});

/** Details.Fields: each a JSON object {label ≤36, value ≤128}, repeated once per field. */
function fieldsOf(form: Form): Field[] {
  const raw = form['Details.Fields'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > MAX_FIELDS) throw twilioErrors.invalidDetails();
  return list.map((text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw twilioErrors.invalidDetails();
    }
    const { label, value } = (parsed ?? {}) as { label?: unknown; value?: unknown };
    if (typeof label !== 'string' || typeof value !== 'string' || !label || label.length > 36 || value.length > 128) {
      throw twilioErrors.invalidDetails();
    }
    return { label, value };
  });
}

/** HiddenDetails: one JSON object of strings, at most 1024 characters. */
function hiddenDetailsOf(form: Form): Field[] | undefined {
  const text = value(form, 'HiddenDetails', 1024);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw twilioErrors.invalidParameter('HiddenDetails');
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw twilioErrors.invalidParameter('HiddenDetails');
  }
  return pairsOf(parsed as Record<string, string>);
}

/** A TOTP code as AuthPayload: 3 to 8 characters (Verify's limits), else 60200. */
function authPayloadOf(form: Form): string | undefined {
  const payload = value(form, 'AuthPayload', 8);
  if (payload !== undefined && payload.length < 3) throw twilioErrors.invalidParameter('AuthPayload');
  return payload;
}

function dateOf(form: Form, name: string): Date | undefined {
  const text = value(form, name, 40);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) throw twilioErrors.invalidParameter(name);
  return date;
}

/** HTTP Basic: the account SID and auth token, compared in constant time; else Twilio's 401 20003. */
function requireBasicAuth(accountSid: string, authToken: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const ok = colon > 0 && safeEqual(decoded.slice(0, colon), accountSid) && safeEqual(decoded.slice(colon + 1), authToken);
    if (ok) return next();
    res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
    next(twilioErrors.authenticate());
  };
}

/** The Services of one account (2FA, and the phone verification demo's), each its own sandbox. */
export function verifyApiRoutes(services: readonly VerifySandbox[], opts: { authToken: string; logger: Logger }): Router {
  const api = Router();
  const accountSid = services[0].accountSid;
  api.use(noStore);
  api.use(requireBasicAuth(accountSid, opts.authToken));
  // Flat keys ("Details.Fields", repeated), as Verify reads them.
  api.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100 }));

  /** This sandbox's own URL for a path below /v2, for the answers' `url` fields. */
  const urlOf =
    (req: Request): UrlOf =>
    (path) =>
      `${req.protocol}://${req.get('host')}${req.originalUrl.slice(0, req.originalUrl.indexOf('/v2/'))}/v2${path}`;

  /** The request's path below /v2, as Twilio's error messages name it. */
  const pathOf = (req: Request) => req.originalUrl.split('?')[0].replace(/^.*?\/v2(?=\/)/, '');
  const identityOf = (req: Request) => {
    const identity = param(req, 'identity');
    if (!IDENTITY.test(identity)) throw twilioErrors.invalidIdentity();
    return identity;
  };

  // The account's Services: another SID is a resource that does not exist.
  const service = Router();
  const knownService: RequestHandler = (req, res, next) => {
    const found = services.find((s) => s.serviceSid === param(req, 'serviceSid'));
    res.locals.verifyService = found;
    next(found ? undefined : twilioErrors.notFound(pathOf(req)));
  };
  api.use('/v2/Services/:serviceSid', knownService, service);
  /** The Service a request is for, and its account fields for the answers. */
  const serviceOf = (res: Response) => {
    const sandbox = res.locals.verifyService as VerifySandbox;
    return { sandbox, account: { accountSid, serviceSid: sandbox.serviceSid } };
  };

  // POST /Services/{VA}/Verifications  To, Channel (sms | call)
  service.post('/Verifications', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const form = formOf(req);
    const to = required(form, 'To', 32);
    if (!E164.test(to)) throw twilioErrors.invalidParameter('To');
    const channel = required(form, 'Channel', 16);
    if (channel !== 'sms' && channel !== 'call') throw twilioErrors.invalidParameter('Channel');
    const verification = await sandbox.startVerification(to, channel);
    res.status(201).json(verificationJson(account, verification, urlOf(req)));
  });

  // POST /Services/{VA}/VerificationCheck  Code, To | VerificationSid
  service.post('/VerificationCheck', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const form = formOf(req);
    // Verify takes codes of 4 to 10 characters; anything else is a malformed parameter, not a wrong code.
    const code = required(form, 'Code', 10);
    if (code.length < 4) throw twilioErrors.invalidParameter('Code');
    const to = value(form, 'To', 32);
    const sid = value(form, 'VerificationSid', 34);
    if (to === undefined && sid === undefined) throw twilioErrors.invalidParameter('To');
    if (sid !== undefined && !SID('VE').test(sid)) throw twilioErrors.invalidParameter('VerificationSid');
    const checked = await sandbox.checkVerification({ to, sid }, code, pathOf(req));
    res.json(verificationCheckJson(account, checked));
  });

  // POST /Services/{VA}/Entities/{identity}/Factors  FriendlyName, FactorType=totp (a new factor)
  service.post('/Entities/:identity/Factors', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const identity = identityOf(req);
    const form = formOf(req);
    const friendlyName = required(form, 'FriendlyName', 64);
    // Push factors come from the Verify Push SDK on a device; in the sandbox, "the phone" has one.
    if (required(form, 'FactorType', 16) !== 'totp') throw twilioErrors.invalidParameter('FactorType');
    // The sandbox's TOTP is Verify's default (SHA-1, 6 digits, 30 s, skew 1): other settings are refused, not ignored.
    const defaults: Record<string, string> = {
      'Config.Alg': 'sha1',
      'Config.CodeLength': '6',
      'Config.TimeStep': '30',
      'Config.Skew': '1',
    };
    for (const [name, expected] of Object.entries(defaults)) {
      const given = value(form, name, 16);
      if (given !== undefined && given !== expected) throw twilioErrors.invalidParameter(name);
    }
    const { factor, binding } = await sandbox.createTotpFactor(identity, friendlyName);
    res.status(201).json(factorJson(account, factor, urlOf(req), binding));
  });

  // GET /Services/{VA}/Entities/{identity}/Factors
  service.get('/Entities/:identity/Factors', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const factors = await sandbox.listFactors(identityOf(req), pathOf(req));
    res.json(
      pageJson(
        'factors',
        factors.map((f) => factorJson(account, f, urlOf(req))),
        urlOf(req)(pathOf(req)),
      ),
    );
  });

  // GET /Services/{VA}/Entities/{identity}/Factors/{YF}
  service.get('/Entities/:identity/Factors/:sid', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const factor = await sandbox.findFactor(identityOf(req), param(req, 'sid'), pathOf(req));
    res.json(factorJson(account, factor, urlOf(req)));
  });

  // DELETE /Services/{VA}/Entities/{identity}/Factors/{YF}  (204; an unknown factor is 20404)
  service.delete('/Entities/:identity/Factors/:sid', async (req, res) => {
    const { sandbox } = serviceOf(res);
    await sandbox.deleteFactor(identityOf(req), param(req, 'sid'), pathOf(req));
    res.status(204).end();
  });

  // POST /Services/{VA}/Entities/{identity}/Factors/{YF}  AuthPayload (verifies a new TOTP factor)
  service.post('/Entities/:identity/Factors/:sid', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const factor = await sandbox.verifyFactor(identityOf(req), param(req, 'sid'), authPayloadOf(formOf(req)), pathOf(req));
    res.json(factorJson(account, factor, urlOf(req)));
  });

  // POST /Services/{VA}/Entities/{identity}/Challenges
  //   TOTP: FactorSid, AuthPayload. Push: FactorSid, Details.Message, Details.Fields, HiddenDetails, ExpirationDate.
  service.post('/Entities/:identity/Challenges', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const identity = identityOf(req);
    const form = formOf(req);
    const factorSid = required(form, 'FactorSid', 34);
    if (!SID('YF').test(factorSid)) throw twilioErrors.invalidParameter('FactorSid');
    const message = value(form, 'Details.Message', 256);
    const challenge = await sandbox.createChallenge(
      identity,
      {
        factorSid,
        authPayload: authPayloadOf(form),
        message,
        fields: fieldsOf(form),
        hiddenDetails: hiddenDetailsOf(form),
        expirationDate: dateOf(form, 'ExpirationDate'),
      },
      pathOf(req),
    );
    res.status(201).json(challengeJson(account, challenge, sandbox.now(), urlOf(req)));
  });

  // GET /Services/{VA}/Entities/{identity}/Challenges/{YC}
  service.get('/Entities/:identity/Challenges/:sid', async (req, res) => {
    const { sandbox, account } = serviceOf(res);
    const challenge = await sandbox.fetchChallenge(identityOf(req), param(req, 'sid'), pathOf(req));
    res.json(challengeJson(account, challenge, sandbox.now(), urlOf(req)));
  });

  api.use(twilioNotFound);
  api.use(twilioErrorHandler(opts.logger));
  return api;
}
