// "The phone": the page at /sandbox and the JSON it (and scripts and tests) read, for both APIs
// alike: the inbox, each soft token (its QR code and current code), and the push requests with
// Approve and Deny. Each half says how its soft tokens and its users' ids look (`PhoneHalf`).
// Only in sandbox mode, which binds to loopback. Codes and TOTP secrets are shown here on
// purpose; the API key, auth token and account SID never are.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../../db/availability';
import { DATABASE_RETRY_AFTER_S, databaseUnavailable } from '../../http/errors';
import type { ProviderName } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { sendCompressed } from './compress';
import { param } from './http';
import type { Inbox } from './inbox';
import type { Mailbox } from './mailbox';
import { NOBODY, type FindPeople } from './people';
import type { PushRequests } from './push-requests';
import { otpauthUrl, totpAt, totpSecondsLeft } from './totp';

const QR_CACHE_MAX = 200;
const LIST_MAX = 50;

/** A soft token as its half shows it. */
export interface SoftToken {
  /** Never changes for a secret (the QR code cache's key). */
  key: string;
  /** The API's id of its user (the page names the person by it). */
  account: string;
  secret: string;
  /** The otpauth URI's label. */
  label: string;
  createdAt: Date;
  /** The half's own fields of the row (its ids, the phone, the status). */
  fields: Record<string, string>;
}

/** A row of the page: whose it is, by the API's id of the user or by the phone number. */
interface Owned {
  provider: ProviderName;
  account?: string;
  phone?: string;
}

/** What each half of the sandbox shows on the phone. */
export interface PhoneHalf {
  provider: ProviderName;
  /** The field that names a push request's user in a row (`authy_id`, `identity`). */
  accountField: string;
  softTokens(): Promise<SoftToken[]>;
  /** The soft token of a user, by the half's id for users. */
  softTokenOf(id: string): Promise<{ secret: string; label: string } | null>;
}

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

export interface PhonePageOptions {
  halves: readonly PhoneHalf[];
  inbox: Inbox;
  /** The app's mail, when the sandbox holds it (no SMTP_URL). */
  mailbox?: Mailbox;
  pushRequests: PushRequests;
  now: () => Date;
  publicDir: string;
  logger: Logger;
  /** The app's usernames behind the rows; without it, rows name ids only. */
  findPeople?: FindPeople;
}

export function phonePageRoutes(o: PhonePageOptions): Router {
  const page = Router();
  const qrCache = new Map<string, string>();
  const halfOf = new Map(o.halves.map((half) => [half.provider, half]));
  const findPeople: FindPeople = o.findPeople ?? (() => Promise.resolve(NOBODY));

  /** Who each of `rows` belongs to (its user, else its number's owner): one lookup per view. */
  async function namesOf(rows: readonly Owned[]): Promise<(row: Owned) => string | null> {
    const accounts: Partial<Record<ProviderName, string[]>> = {};
    for (const { provider, account } of rows) if (account) (accounts[provider] ??= []).push(account);
    const people = await findPeople({ accounts, phones: rows.flatMap((r) => (r.phone ? [r.phone] : [])) });
    return (r) => (r.account && people.accounts[r.provider]?.get(r.account)) || (r.phone && people.phones.get(r.phone)) || null;
  }

  async function qrCode(key: string, url: string): Promise<string> {
    let qr = qrCache.get(key);
    if (!qr) {
      const { default: QRCode } = await import('qrcode'); // loaded when "the phone" first shows one
      qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'L', margin: 2, scale: 5 });
      if (qrCache.size >= QR_CACHE_MAX) qrCache.clear();
      qrCache.set(key, qr);
    }
    return qr;
  }

  // Nothing cached; everything gzipped for a client that takes it (the page refreshes its JSON every 2 s).
  page.use((req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.json = (body: unknown) => sendCompressed(req, res, 'json', JSON.stringify(body));
    next();
  });

  // GET /sandbox: the built page (dist/public/sandbox.html), read each time so a rebuild (npm run dev) shows at once.
  page.get('/', async (req, res) => {
    let html: string;
    try {
      html = await readFile(path.join(o.publicDir, 'sandbox.html'), 'utf8');
    } catch {
      res.status(503).type('text/plain').send('The sandbox page is not built yet: run `npm run build`, then reload.\n');
      return;
    }
    sendCompressed(req, res, 'html', html);
  });

  // GET /sandbox/inbox.json: codes "sent" by either API, newest first. `purpose` is the API's:
  // Authy's '2fa' or 'verification'; Verify's 'verify' (it sends login and phone verification codes alike).
  // Whose it is: the user it was sent to, or whose number it went to.
  page.get('/inbox.json', async (_req, res) => {
    const sent = await o.inbox.list(LIST_MAX);
    const nameOf = await namesOf(sent);
    res.json(
      sent.map((m) => ({
        to: m.to,
        channel: m.channel,
        purpose: m.purpose,
        code: m.code,
        sent_at: m.sentAt.toISOString(),
        provider: m.provider,
        username: nameOf(m),
      })),
    );
  });

  // GET /sandbox/mail.json: what the app emailed (a password reset link), newest first.
  page.get('/mail.json', async (_req, res) => {
    const mails = o.mailbox ? await o.mailbox.list(LIST_MAX) : [];
    res.json(mails.map((m) => ({ to: m.to, subject: m.subject, text: m.text, sent_at: m.sentAt.toISOString() })));
  });

  // GET /sandbox/users.json: each soft token (QR code and current code), newest first.
  page.get('/users.json', async (_req, res) => {
    const now = o.now();
    const tokens = (
      await Promise.all(o.halves.map(async (half) => (await half.softTokens()).map((t) => ({ ...t, provider: half.provider }))))
    ).flat();
    tokens.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const nameOf = await namesOf(tokens);
    const rows = tokens.map(async (t) => {
      const url = otpauthUrl(t.secret, t.label);
      return {
        provider: t.provider,
        username: nameOf(t),
        ...t.fields,
        created_at: t.createdAt.toISOString(),
        otpauth_url: url,
        qr_code: await qrCode(t.key, url),
        totp: { code: totpAt(t.secret, now), seconds_left: totpSecondsLeft(now) },
      };
    });
    res.json(await Promise.all(rows));
  });

  // GET /sandbox/users/:id/totp.json → {secret, otpauth_url}: a user by either API's id for users.
  page.get('/users/:id/totp.json', async (req, res) => {
    const id = param(req, 'id');
    for (const half of o.halves) {
      const token = await half.softTokenOf(id);
      if (token) return void res.json({ secret: token.secret, otpauth_url: otpauthUrl(token.secret, token.label) });
    }
    res.status(404).json({ success: false, message: 'User not found.' });
  });

  // GET /sandbox/approvals.json: push requests of either API, newest first, with their status now.
  page.get('/approvals.json', async (_req, res) => {
    const requests = await o.pushRequests.list(LIST_MAX);
    const nameOf = await namesOf(requests);
    res.json(
      requests.map((r) => ({
        uuid: r.id,
        [halfOf.get(r.provider)?.accountField ?? 'account']: r.account,
        message: r.message,
        status: r.effectiveStatus,
        created_at: r.createdAt.toISOString(),
        provider: r.provider,
        username: nameOf(r),
        expires_at: r.pendingUntil.toISOString(),
      })),
    );
  });

  // POST /sandbox/approvals/:id/approve and /deny (an Authy uuid, or a Verify challenge's sid)
  for (const [action, status] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    page.post(`/approvals/:id/${action}`, sameOrigin, async (req, res) => {
      const result = await o.pushRequests.decide(param(req, 'id'), status);
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
    o.logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, path: req.path }, '[sandbox] view failed');
    res.status(500).json({ success: false, message: 'Internal error' });
  };
  page.use(onError);
  return page;
}
