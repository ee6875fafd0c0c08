// The sandbox page ("the phone"): polls the sandbox's JSON every 2 s and shows the inbox, each
// soft token and the pending push requests with Approve and Deny, from the Authy and the Verify
// sandbox alike. Plain DOM, no inline script or style (the app's CSP forbids them); all data
// goes in with textContent.
export {};

interface InboxItem {
  to: string;
  channel: 'sms' | 'call';
  /** Verify's codes serve logins and phone verification alike. */
  purpose: '2fa' | 'verification' | 'verify';
  code: string;
  sent_at: string;
}

/** An Authy approval request (authy_id) or a Verify push challenge (identity). */
interface Approval {
  uuid: string;
  authy_id?: string;
  identity?: string;
  message: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  created_at: string;
}

/** An Authy user's soft token, or a Verify TOTP factor (identity, factor_sid, name, status). */
interface SandboxUser {
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
  verify: 'Verify (login or phone verification)',
};

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

let lastApprovals = '';
function renderApprovals(list: Approval[]) {
  const key = JSON.stringify(list);
  if (key === lastApprovals) return;
  lastApprovals = key;
  const rows = list.map((a) => {
    const cell = el('td');
    if (a.status === 'pending') {
      const approve = el('button', { type: 'button', id: `approve-${a.uuid}`, className: 'btn btn-primary', textContent: 'Approve' });
      const deny = el('button', { type: 'button', id: `deny-${a.uuid}`, className: 'btn', textContent: 'Deny' });
      approve.addEventListener('click', () => void answer(a.uuid, 'approve', [approve, deny]));
      deny.addEventListener('click', () => void answer(a.uuid, 'deny', [approve, deny]));
      cell.append(approve, ' ', deny);
    } else {
      cell.append(el('span', { className: 'muted', textContent: '—' }));
    }
    return el(
      'tr',
      { id: `approval-${a.uuid}` },
      el('td', { textContent: time(a.created_at) }),
      el('td', { textContent: a.authy_id ? `Authy ID ${a.authy_id}` : `Verify ${short(a.identity ?? '')}` }),
      el('td', { textContent: a.message }),
      el('td', { className: `status status-${a.status}`, textContent: a.status }),
      cell,
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
      el('td', { textContent: time(m.sent_at) }),
      el('td', { textContent: m.to }),
      el('td', { textContent: m.channel === 'sms' ? 'SMS' : 'Voice call' }),
      el('td', { textContent: PURPOSES[m.purpose] ?? m.purpose }),
      el('td', {}, el('code', { className: 'code', textContent: m.code })),
    ),
  );
  fillTable('inbox', 'inbox-empty', rows);
}

// ---- soft tokens -----------------------------------------------------------------------------

interface UserCard {
  card: HTMLElement;
  about: HTMLElement;
  code: HTMLElement;
  left: HTMLElement;
}
const userCards = new Map<string, UserCard>();

/** The card's key and title: the Authy ID, or the Verify factor. */
const userKey = (u: SandboxUser) => u.authy_id ?? u.factor_sid ?? '';
const userTitle = (u: SandboxUser) => (u.authy_id ? `Authy ID ${u.authy_id}` : `Verify: ${u.name ?? ''} (${short(u.identity ?? '')})`);

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
    el('img', { src: u.qr_code, alt: `QR code of the soft token of ${userTitle(u)}` }),
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
    const [approvals, inbox, users] = await Promise.all([
      getJson<Approval[]>('/approvals.json'),
      getJson<InboxItem[]>('/inbox.json'),
      getJson<SandboxUser[]>('/users.json'),
    ]);
    renderApprovals(approvals);
    renderInbox(inbox);
    renderUsers(users);
    clearRefreshError();
  } catch {
    showStatus('The sandbox is not answering; retrying…', 'error', 'refresh');
  } finally {
    running = false;
    timer = window.setTimeout(() => void refresh(), REFRESH_MS);
  }
}

function start() {
  void refresh();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
