// "The phone": the page at /sandbox and the JSON it (and scripts and tests) read, for the Authy
// and the Verify sandbox alike. Only in sandbox mode, which binds to loopback. Codes and TOTP
// secrets are shown here on purpose; the API key, auth token and account SID never are.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import QRCode from 'qrcode';
import { isDatabaseUnavailable } from '../db/availability';
import { DATABASE_RETRY_AFTER_S, databaseUnavailable } from '../http/errors';
import type { Logger } from '../platform/logger';
import { NOBODY, type FindPeople } from './people';
import { displayE164, maskCellphone } from './phone';
import { sendCompressed } from './compress';
import type { SandboxService } from './service';
import { otpauthUrl, totpAt, totpSecondsLeft } from './totp';
import type { VerifySandbox } from './verify/service';

const QR_CACHE_MAX = 200;

const param = (req: Request, name: string): string => {
  const v = (req.params as Record<string, string | undefined>)[name];
  return typeof v === 'string' ? v : '';
};

/** The page's Approve and Deny come from the page itself: refuse cross-site POSTs. */
const sameOrigin: RequestHandler = (req, res, next) => {
  const origin = req.get('origin');
  let ok = req.get('sec-fetch-site') !== 'cross-site';
  if (ok && origin) {
    try {
      ok = new URL(origin).host === req.get('host');
    } catch {
      ok = false;
    }
  }
  if (ok) return next();
  res.status(403).json({ success: false, message: 'Cross-site requests are refused.' });
};

/** A Verify challenge's sid (YC…), as opposed to an Authy approval request's uuid. */
const isChallengeSid = (id: string) => /^YC[0-9a-f]{32}$/.test(id);

export function viewRoutes(
  service: SandboxService,
  verify: VerifySandbox,
  opts: { publicDir: string; logger: Logger; findPeople?: FindPeople },
): Router {
  const views = Router();
  const qrCache = new Map<string, string>();
  const findPeople: FindPeople = opts.findPeople ?? (() => Promise.resolve(NOBODY));

  const label = (authyId: string) => `Authy ${authyId}`;
  /** QR codes by owner (an Authy id or a factor sid): each owner's secret never changes. */
  async function qrCode(owner: string, url: string): Promise<string> {
    let qr = qrCache.get(owner);
    if (!qr) {
      qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'L', margin: 2, scale: 5 });
      if (qrCache.size >= QR_CACHE_MAX) qrCache.clear();
      qrCache.set(owner, qr);
    }
    return qr;
  }

  // Every view is gzipped for a client that takes it (the page refreshes its JSON every 2 s).
  views.use((req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.json = (body: unknown) => sendCompressed(req, res, 'json', JSON.stringify(body));
    next();
  });

  // GET /sandbox: the built page (dist/public/sandbox.html), read each time so a rebuild (npm run dev) shows at once.
  views.get('/', async (_req, res) => {
    let page: string;
    try {
      page = await readFile(path.join(opts.publicDir, 'sandbox.html'), 'utf8');
    } catch {
      res.status(503).type('text/plain').send('The sandbox page is not built yet: run `npm run build`, then reload.\n');
      return;
    }
    sendCompressed(_req, res, 'html', page);
  });

  const newestFirst = <T extends { sent_at?: string; created_at?: string }>(list: T[]) =>
    list.sort((a, b) => (b.sent_at ?? b.created_at ?? '').localeCompare(a.sent_at ?? a.created_at ?? ''));

  // GET /sandbox/inbox.json: codes "sent", newest first. Verify's have purpose "verify": Verify
  // sends login codes and phone verification codes alike.
  views.get('/inbox.json', async (_req, res) => {
    const [authy, verified] = await Promise.all([service.inbox(), verify.inbox()]);
    const people = await findPeople({
      authyIds: authy.flatMap((m) => (m.authyId ? [m.authyId] : [])),
      identities: [],
      phones: verified.map((m) => m.to),
    });
    const items = [
      ...authy.map((m) => ({
        to: m.to,
        channel: m.channel,
        purpose: m.purpose,
        code: m.code,
        sent_at: m.sentAt.toISOString(),
        provider: 'authy',
        username: (m.authyId && people.byAuthyId.get(m.authyId)) || null,
      })),
      ...verified.map((m) => ({
        to: displayE164(m.to),
        channel: m.channel,
        purpose: 'verify',
        code: m.code,
        sent_at: m.sentAt.toISOString(),
        provider: 'verify',
        // Whose number it is: a login code of theirs, or a phone verification of that number.
        username: people.byPhone.get(m.to) ?? null,
      })),
    ];
    res.json(newestFirst(items).slice(0, 50));
  });

  // GET /sandbox/users.json: each soft token (QR code and current code) for the page: Authy
  // users, and Verify TOTP factors (with their status: unverified until the app's first code).
  views.get('/users.json', async (_req, res) => {
    const now = service.clock();
    const totp = (secret: string) => ({ code: totpAt(secret, now), seconds_left: totpSecondsLeft(now) });
    const [users, factors] = await Promise.all([service.users(), verify.totpFactors()]);
    const people = await findPeople({ authyIds: users.map((u) => u.authyId), identities: factors.map((f) => f.identity), phones: [] });
    const authy = users.map(async (u) => {
      const url = otpauthUrl(u.secret, label(u.authyId));
      return {
        provider: 'authy',
        username: people.byAuthyId.get(u.authyId) ?? null,
        authy_id: u.authyId,
        cellphone: maskCellphone(u.countryCode, u.cellphone),
        created_at: u.createdAt.toISOString(),
        otpauth_url: url,
        qr_code: await qrCode(u.authyId, url),
        totp: totp(u.secret),
      };
    });
    const verified = factors.map(async (f) => {
      const url = otpauthUrl(f.secret ?? '', f.friendlyName);
      return {
        provider: 'verify',
        username: people.byIdentity.get(f.identity) ?? null,
        identity: f.identity,
        factor_sid: f.sid,
        name: f.friendlyName,
        status: f.status,
        created_at: f.createdAt.toISOString(),
        otpauth_url: url,
        qr_code: await qrCode(f.sid, url),
        totp: totp(f.secret ?? ''),
      };
    });
    res.json(newestFirst<{ created_at: string }>(await Promise.all([...authy, ...verified])));
  });

  // GET /sandbox/users/:id/totp.json → {secret, otpauth_url}: an Authy id, or a Verify identity.
  views.get('/users/:id/totp.json', async (req, res) => {
    const id = param(req, 'id');
    const user = await service.findUser(id);
    const factor = user ? null : await verify.totpFactorOf(id);
    if (user) res.json({ secret: user.secret, otpauth_url: otpauthUrl(user.secret, label(user.authyId)) });
    else if (factor?.secret) res.json({ secret: factor.secret, otpauth_url: otpauthUrl(factor.secret, factor.friendlyName) });
    else res.status(404).json({ success: false, message: 'User not found.' });
  });

  // GET /sandbox/approvals.json: push requests (Authy approval requests and Verify push
  // challenges), newest first, with their current status.
  views.get('/approvals.json', async (_req, res) => {
    const [authy, challenges] = await Promise.all([service.approvals(), verify.pushChallenges()]);
    const people = await findPeople({ authyIds: authy.map((a) => a.authyId), identities: challenges.map((c) => c.identity), phones: [] });
    const items = [
      ...authy.map((a) => ({
        uuid: a.uuid,
        authy_id: a.authyId,
        message: a.message,
        status: a.effectiveStatus,
        created_at: a.createdAt.toISOString(),
        provider: 'authy',
        username: people.byAuthyId.get(a.authyId) ?? null,
        expires_at: a.pendingUntil.toISOString(),
      })),
      ...challenges.map((c) => ({
        uuid: c.sid,
        identity: c.identity,
        message: c.message ?? '',
        status: c.effectiveStatus,
        created_at: c.createdAt.toISOString(),
        provider: 'verify',
        username: people.byIdentity.get(c.identity) ?? null,
        expires_at: c.expirationDate.toISOString(),
      })),
    ];
    res.json(newestFirst(items).slice(0, 50));
  });

  // POST /sandbox/approvals/:uuid/approve and /deny (a uuid, or a Verify challenge's sid)
  for (const [action, status] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    views.post(`/approvals/:uuid/${action}`, sameOrigin, async (req, res) => {
      const id = param(req, 'uuid');
      const result = isChallengeSid(id) ? await verify.decide(id, status) : await service.decide(id, status);
      if (result === 'not-found') res.status(404).json({ success: false, message: 'Approval request not found.' });
      else if (result === 'not-pending') res.status(409).json({ success: false, message: 'This approval request is no longer pending.' });
      else res.json({ success: true });
    });
  }

  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (isDatabaseUnavailable(err)) {
      res.status(503).set('Retry-After', String(DATABASE_RETRY_AFTER_S)).json({ success: false, message: databaseUnavailable().message });
      return;
    }
    opts.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, path: req.path }, '[sandbox] view failed');
    res.status(500).json({ success: false, message: 'Internal error' });
  };
  views.use(onError);
  return views;
}
