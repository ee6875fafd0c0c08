// The sandbox page ("the phone"): polls the sandbox's JSON every 2 s and shows the inbox, the
// app's mail (a password reset link), each soft token and the pending push requests with Approve and Deny, from the Authy and the Verify
// sandbox alike, each row naming its user and provider. Plain DOM, no inline script or style
// (the app's CSP forbids them); all data goes in with textContent. On a narrow screen the
// tables' rows become cards (styles.css, table.cards): the code and the buttons come first.
import { productOf, type ProviderId } from '../../common/products';
import type { Site } from '../core/site.service';
import { fetchSiteInfo } from '../core/site.service';
import { revealWhen } from '../core/reveal';

/** Who a row is for: the provider it came from, and the app's username where it knows one. */
interface Owner {
  provider?: ProviderId;
  username?: string | null;
}

interface InboxItem extends Owner {
  to: string;
  channel: 'sms' | 'call';
  /** Verify's codes serve logins and phone verification alike. */
  purpose: '2fa' | 'verification' | 'verify';
  code: string;
  sent_at: string;
}

/** A mail the app sent (no SMTP_URL): its text, whose links become links here. */
interface MailItem {
  to: string;
  subject: string;
  text: string;
  sent_at: string;
}

/** An Authy approval request (authy_id) or a Verify push challenge (identity). */
interface Approval extends Owner {
  uuid: string;
  authy_id?: string;
  identity?: string;
  message: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  created_at: string;
}

/** An Authy user's soft token, or a Verify TOTP factor (identity, factor_sid, name, status). */
interface SandboxUser extends Owner {
  authy_id?: string;
  cellphone?: string;
  identity?: string;
  factor_sid?: string;
  name?: string;
  status?: 'unverified' | 'verified';
  created_at: string;
  otpauth_url: string;
  qr_code: string;
  totp: { code: string; seconds_left: number };
}

const REFRESH_MS = 2000;
const BASE = '/sandbox';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`sandbox page: #${id} is missing`);
  return el as T;
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString();
/** A Verify identity is 32 hex digits: its start tells them apart. */
const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

const PURPOSES: Record<InboxItem['purpose'], string> = {
  '2fa': 'two-factor login',
  verification: 'phone verification',
  verify: 'login or phone verification',
};

/** "Authy", "Verify": each row says which sandbox it came from. */
const providerName = (provider: ProviderId | undefined) => (provider ? productOf(provider).name.replace('Twilio ', '') : '');

/** A cell: its column's name for the card layout, a class, and its content. */
function cell(label: string, className: string, ...content: (Node | string)[]) {
  const td = el('td', { className }, ...content);
  td.dataset.label = label;
  return td;
}

/** "alice" over "Authy · ID 1234567": the username where the app knows one, the provider, and what else says whose it is. */
function ownerCell(label: string, owner: Owner, detail: string) {
  const who = owner.username ? [el('strong', { className: 'owner-name', textContent: owner.username }), ' '] : [];
  const about = [providerName(owner.provider), detail].filter(Boolean).join(' · ');
  return cell(label, 'cell-owner', ...who, el('span', { className: 'muted owner-id', textContent: about }));
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(BASE + path, { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Shows a message; one from the refresh loop goes away once the loop works again. */
function showStatus(text: string, kind: 'ok' | 'error', source: 'action' | 'refresh' = 'action') {
  const status = $('status');
  status.textContent = text;
  status.className = `message ${kind}`;
  status.dataset.source = source;
  status.hidden = false;
}

function clearRefreshError() {
  const status = $('status');
  if (status.dataset.source === 'refresh') status.hidden = true;
}

/** Fills a table body, or shows the "empty" note instead. */
function fillTable(tableId: string, emptyId: string, rows: HTMLTableRowElement[]) {
  const table = $<HTMLTableElement>(tableId);
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = rows.length === 0;
  $(emptyId).hidden = rows.length > 0;
}

// ---- push requests ---------------------------------------------------------------------------

async function answer(uuid: string, action: 'approve' | 'deny', buttons: HTMLButtonElement[]) {
  buttons.forEach((b) => (b.disabled = true));
  try {
    const res = await fetch(`${BASE}/approvals/${encodeURIComponent(uuid)}/${action}`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    if (res.ok) showStatus(action === 'approve' ? 'Approved: the app has been told.' : 'Denied: the app has been told.', 'ok');
    else showStatus(body.message ?? `Could not ${action} (HTTP ${res.status}).`, 'error');
  } catch {
    showStatus(`Could not ${action}: the server did not answer.`, 'error');
  }
  lastApprovals = '';
  await refresh();
}

/** An expired request can no longer be answered: the page says why there are no buttons. */
const STATUS_TEXT: Record<Approval['status'], string> = {
  pending: 'pending',
  approved: 'approved',
  denied: 'denied',
  expired: 'expired (no answer in time)',
};

let lastApprovals = '';
function renderApprovals(list: Approval[]) {
  const key = JSON.stringify(list);
  if (key === lastApprovals) return;
  lastApprovals = key;
  const rows = list.map((a) => {
    const buttons = cell('Answer', 'cell-answer');
    if (a.status === 'pending') {
      const approve = el('button', { type: 'button', id: `approve-${a.uuid}`, className: 'btn btn-primary', textContent: 'Approve' });
      const deny = el('button', { type: 'button', id: `deny-${a.uuid}`, className: 'btn', textContent: 'Deny' });
      approve.addEventListener('click', () => void answer(a.uuid, 'approve', [approve, deny]));
      deny.addEventListener('click', () => void answer(a.uuid, 'deny', [approve, deny]));
      buttons.append(approve, ' ', deny);
    } else {
      buttons.append(el('span', { className: 'muted', textContent: '—' }));
    }
    return el(
      'tr',
      { id: `approval-${a.uuid}` },
      cell('Requested', 'cell-time', time(a.created_at)),
      ownerCell('For', a, a.authy_id ? `ID ${a.authy_id}` : short(a.identity ?? '')),
      cell('Message', 'cell-message', a.message),
      cell('Status', `cell-status status status-${a.status}`, STATUS_TEXT[a.status] ?? a.status),
      buttons,
    );
  });
  fillTable('approvals', 'approvals-empty', rows);
}

// ---- inbox -----------------------------------------------------------------------------------

let lastInbox = '';
function renderInbox(items: InboxItem[]) {
  const key = JSON.stringify(items);
  if (key === lastInbox) return;
  lastInbox = key;
  const rows = items.map((m) =>
    el(
      'tr',
      {},
      cell('Sent', 'cell-time', time(m.sent_at)),
      cell('To', 'cell-to', m.to),
      cell('By', 'cell-channel', m.channel === 'sms' ? 'SMS' : 'Voice call'),
      ownerCell('For', m, PURPOSES[m.purpose] ?? m.purpose),
      cell('Code', 'cell-code', el('code', { className: 'code', textContent: m.code })),
    ),
  );
  fillTable('inbox', 'inbox-empty', rows);
}

// ---- mail ------------------------------------------------------------------------------------

/** The text, with each http(s) address in it a link (text and addresses go in as text, never as HTML). */
function mailBody(text: string): HTMLElement {
  const body = el('p', { className: 'mail__text' });
  for (const part of text.split(/(https?:\/\/\S+)/)) {
    body.append(/^https?:\/\//.test(part) ? el('a', { href: part, textContent: part, className: 'mail__link' }) : part);
  }
  return body;
}

let lastMail = '';
function renderMail(mails: MailItem[]) {
  const key = JSON.stringify(mails);
  if (key === lastMail) return;
  lastMail = key;
  const cards = mails.map((m, i) =>
    el(
      'article',
      { className: 'mail', id: `mail-${i}` },
      el('h3', { className: 'mail__subject', textContent: m.subject }),
      el('p', { className: 'muted', textContent: `To ${m.to} · ${time(m.sent_at)}` }),
      mailBody(m.text),
    ),
  );
  $('mail').replaceChildren(...cards);
  $('mail-empty').hidden = mails.length > 0;
}

// ---- soft tokens -----------------------------------------------------------------------------

interface UserCard {
  card: HTMLElement;
  about: HTMLElement;
  code: HTMLElement;
  left: HTMLElement;
}
const userCards = new Map<string, UserCard>();
/** The QR codes' size on the page, reserved before they load. */
const QR_SIZE = 160;

/** The card's key and title: the Authy ID, or the Verify factor. */
const userKey = (u: SandboxUser) => u.authy_id ?? u.factor_sid ?? '';
const userTitle = (u: SandboxUser) => {
  const id = u.authy_id ? `Authy ID ${u.authy_id}` : `Verify ${short(u.identity ?? '')}`;
  return u.username ? `${u.username} · ${id}` : id;
};

function userCard(u: SandboxUser): UserCard {
  const key = userKey(u);
  const code = el('code', { className: 'code totp-code', id: `totp-${key}` });
  const left = el('span', { className: 'muted' });
  const link = el('a', { href: u.otpauth_url, textContent: 'otpauth:// link' });
  const about = el('p', { className: 'muted' });
  const card = el(
    'div',
    { className: 'card sandbox-user', id: `user-${key}` },
    el('h3', { textContent: userTitle(u) }),
    about,
    el('img', { src: u.qr_code, width: QR_SIZE, height: QR_SIZE, alt: `QR code of the soft token of ${userTitle(u)}` }),
    el('p', {}, 'Current code: ', code, ' ', left),
    el('p', { className: 'muted' }, 'Cannot scan? Open the ', link, ' on the device with your authenticator app.'),
  );
  return { card, about, code, left };
}

/** An Authy user's masked phone; a Verify factor's state (the app shows its QR code on /2fa until its first code). */
const userAbout = (u: SandboxUser) =>
  u.authy_id
    ? (u.cellphone ?? '')
    : u.status === 'verified'
      ? 'TOTP factor, verified.'
      : 'TOTP factor, waiting for its first code (its QR code is on /2fa).';

function renderUsers(users: SandboxUser[]) {
  const container = $('users');
  const seen = new Set<string>();
  const cards = users.map((u) => {
    const key = userKey(u);
    seen.add(key);
    let entry = userCards.get(key);
    if (!entry) {
      entry = userCard(u);
      userCards.set(key, entry);
    }
    entry.about.textContent = userAbout(u);
    entry.code.textContent = u.totp.code;
    entry.left.textContent = `(${u.totp.seconds_left} s left)`;
    return entry.card;
  });
  for (const id of [...userCards.keys()]) if (!seen.has(id)) userCards.delete(id);
  // Re-append only when the set or order changed, so images do not flicker.
  const current = Array.from(container.children);
  if (current.length !== cards.length || cards.some((c, i) => current[i] !== c)) container.replaceChildren(...cards);
  $('users-empty').hidden = users.length > 0;
}

// ---- refresh loop ----------------------------------------------------------------------------

let timer: number | undefined;
let running = false;

async function refresh(): Promise<void> {
  if (running) return;
  running = true;
  window.clearTimeout(timer);
  try {
    const [approvals, inbox, mail, users] = await Promise.all([
      getJson<Approval[]>('/approvals.json'),
      getJson<InboxItem[]>('/inbox.json'),
      getJson<MailItem[]>('/mail.json'),
      getJson<SandboxUser[]>('/users.json'),
    ]);
    renderApprovals(approvals);
    renderInbox(inbox);
    renderMail(mail);
    renderUsers(users);
    clearRefreshError();
  } catch {
    showStatus('The sandbox is not answering; retrying…', 'error', 'refresh');
  } finally {
    running = false;
    timer = window.setTimeout(() => void refresh(), REFRESH_MS);
  }
}

/** Names the provider the app runs on (GET /api/config, the SPA's own source). */
function showProvider(site: Site) {
  const text = site.provider
    ? `The app runs on ${productOf(site.provider).name}, played by the sandbox. Rows from both sandboxes are listed; each says which.`
    : 'Rows from the Authy and the Verify sandbox are listed; each says which.';
  $('provider').textContent = text;
}

function start() {
  const shown = fetchSiteInfo().then(showProvider);
  // The page shows once its tables are filled: nothing moves in after the first paint.
  void revealWhen(Promise.all([shown, refresh()]));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
