// "The phone": the page at /sandbox and the JSON it (and scripts and tests) read. Only in sandbox
// mode, which binds to loopback. Codes and TOTP secrets are shown here on purpose; the API key
// never is.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import QRCode from 'qrcode';
import type { Logger } from '../logger';
import { maskCellphone } from './phone';
import type { SandboxService } from './service';
import { otpauthUrl, totpAt, totpSecondsLeft } from './totp';

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

export function viewRoutes(service: SandboxService, opts: { publicDir: string; logger: Logger }): Router {
  const views = Router();
  const qrCache = new Map<string, string>();

  const label = (authyId: string) => `Authy ${authyId}`;
  async function qrCode(authyId: string, url: string): Promise<string> {
    let qr = qrCache.get(authyId);
    if (!qr) {
      qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'L', margin: 2, scale: 5 });
      if (qrCache.size >= QR_CACHE_MAX) qrCache.clear();
      qrCache.set(authyId, qr);
    }
    return qr;
  }

  views.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
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
    res.type('html').send(page);
  });

  // GET /sandbox/inbox.json: codes "sent", newest first.
  views.get('/inbox.json', async (_req, res) => {
    const messages = await service.inbox();
    res.json(messages.map((m) => ({ to: m.to, channel: m.channel, purpose: m.purpose, code: m.code, sent_at: m.sentAt.toISOString() })));
  });

  // GET /sandbox/users.json: each user's soft token (QR code and current code) for the page.
  views.get('/users.json', async (_req, res) => {
    const now = service.clock();
    const users = await service.users();
    const out = await Promise.all(
      users.map(async (u) => {
        const url = otpauthUrl(u.secret, label(u.authyId));
        return {
          authy_id: u.authyId,
          cellphone: maskCellphone(u.countryCode, u.cellphone),
          created_at: u.createdAt.toISOString(),
          otpauth_url: url,
          qr_code: await qrCode(u.authyId, url),
          totp: { code: totpAt(u.secret, now), seconds_left: totpSecondsLeft(now) },
        };
      }),
    );
    res.json(out);
  });

  // GET /sandbox/users/:authyId/totp.json → {secret, otpauth_url}
  views.get('/users/:authyId/totp.json', async (req, res) => {
    const user = await service.findUser(param(req, 'authyId'));
    if (!user) {
      res.status(404).json({ success: false, message: 'User not found.' });
      return;
    }
    res.json({ secret: user.secret, otpauth_url: otpauthUrl(user.secret, label(user.authyId)) });
  });

  // GET /sandbox/approvals.json: push requests, newest first, with their current status.
  views.get('/approvals.json', async (_req, res) => {
    const list = await service.approvals();
    res.json(
      list.map((a) => ({
        uuid: a.uuid,
        authy_id: a.authyId,
        message: a.message,
        status: a.effectiveStatus,
        created_at: a.createdAt.toISOString(),
      })),
    );
  });

  // POST /sandbox/approvals/:uuid/approve and /deny
  for (const [action, status] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    views.post(`/approvals/:uuid/${action}`, sameOrigin, async (req, res) => {
      const result = await service.decide(param(req, 'uuid'), status);
      if (result === 'not-found') res.status(404).json({ success: false, message: 'Approval request not found.' });
      else if (result === 'not-pending') res.status(409).json({ success: false, message: 'This approval request is no longer pending.' });
      else res.json({ success: true });
    });
  }

  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    opts.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, path: req.path }, '[sandbox] view failed');
    res.status(500).json({ success: false, message: 'Internal error' });
  };
  views.use(onError);
  return views;
}
