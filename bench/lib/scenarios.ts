// The scenarios: each prepares what it needs through the API (users, a session at the right
// stage) and returns the autocannon options that replay it. Passwords use the production hash
// (scrypt N=2^17), so preparing a user costs one hash.
import { performance } from 'node:perf_hooks';
import type { Request as AutocannonRequest } from 'autocannon';
import { Browser, CookieJar, parseSetCookies } from './browser';

export const PASSWORD = 'correct horse battery staple';

/** The bench's options (bench/run.ts), as the scenarios read them. */
export interface BenchOptions {
  duration: number;
  warmup: number;
  runs: number;
  connections: number;
  loginConnections: number;
  flowConnections: number;
  flowUsers: number;
}

export interface Person {
  username: string;
  phone: string;
  last4: string;
}

/** What a scenario replays: one request, or a sequence autocannon runs in order on each connection. */
export type Replay = AutocannonRequest | { requests: AutocannonRequest[] };

export interface Prepared {
  request: Replay;
  /** Figures of the last run (and resets them). */
  extra?: () => FlowExtra;
}

export interface FlowExtra {
  flows: number;
  flowTimesMs: number[];
  failedSteps: Record<string, number>;
}

export interface Scenario {
  title: string;
  connections(o: BenchOptions): number;
  readOnly?: boolean;
  hashBound?: boolean;
  prepare(baseUrl: string, opts: BenchOptions): Promise<Prepared>;
}

export interface InboxMessage {
  to?: unknown;
  purpose?: unknown;
  code?: string;
  sent_at?: string;
}

/** `+1 415-555-1xxx` numbers: the sandbox inbox shows the last four digits, which tell users apart. */
let nextPhone = 1000;
export function newPerson(prefix: string): Person {
  const n = nextPhone++;
  return { username: `${prefix}${n}`, phone: `415-555-${n}`, last4: String(n) };
}

/** Registers through the API (the sandbox plays Authy); the browser is left logged in, 2FA pending. */
export async function register(baseUrl: string, prefix: string): Promise<{ person: Person; browser: Browser }> {
  const person = newPerson(prefix);
  const browser = new Browser(baseUrl);
  await browser.post(
    '/api/user/register',
    {
      username: person.username,
      email: `${person.username}@example.com`,
      password: PASSWORD,
      country_code: '+1',
      phone_number: person.phone,
    },
    { expect: 200 },
  );
  return { person, browser };
}

/** The newest 2FA code the sandbox "sent" to this person, if any, not older than `since` (epoch ms). */
export function codeFor(inbox: unknown, person: Person, since = 0): string | undefined {
  const message = (Array.isArray(inbox) ? (inbox as InboxMessage[]) : []).find(
    (m) => m.purpose === '2fa' && typeof m.to === 'string' && m.to.endsWith(person.last4) && Date.parse(m.sent_at ?? '') >= since - 1000,
  );
  return message?.code;
}

/** SMS → code from the sandbox inbox → verify: the browser's session passes 2FA. */
export async function passTwoFactor(browser: Browser, person: Person): Promise<void> {
  const since = Date.now();
  await browser.post('/api/accountsecurity/sms', {}, { expect: 200 });
  const inbox = await browser.get('/sandbox/inbox.json', { expect: 200 });
  const code = codeFor(inbox.body, person, since);
  if (!code) throw new Error(`no SMS code for ${person.username} in the sandbox inbox`);
  await browser.post('/api/accountsecurity/verify', { token: code }, { expect: 200 });
}

/** A first visit: the cookies an anonymous visitor has (the CSRF cookie, when the app sets one). */
async function visitorJar(baseUrl: string): Promise<CookieJar> {
  const browser = new Browser(baseUrl);
  await browser.get('/', { expect: 200 });
  return browser.jar;
}

async function assetPaths(baseUrl: string): Promise<{ scripts: string[]; styles: string[] }> {
  const html = String((await new Browser(baseUrl).get('/', { expect: 200 })).body);
  const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
  const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
  return { scripts, styles };
}

const json = (jar: CookieJar, method: string) => ({ ...jar.headers(method), 'content-type': 'application/json' });

/** A flow connection's state, in autocannon's per-connection context. */
interface FlowContext {
  person: Person;
  cookies: [string, string][];
  started: number;
  since: number;
  ok: boolean;
  code: string | undefined;
}

/** Reads a JSON body's field without trusting its shape. */
const field = (body: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), body);

/**
 * name → { title, connections(opts), prepare(baseUrl, opts) → { request, extra? } }
 * `request` is autocannon's options without url/connections/duration; `extra()` adds figures of
 * the last run (and resets them).
 */
export const SCENARIOS: Record<string, Scenario> = {
  spa: {
    title: 'GET / (SPA shell)',
    connections: (o) => o.connections,
    prepare: () => Promise.resolve({ request: { method: 'GET', path: '/', headers: { accept: 'text/html' } } }),
  },

  asset: {
    title: 'GET app-*.js (static, gzip asked)',
    connections: (o) => o.connections,
    async prepare(baseUrl) {
      const { scripts } = await assetPaths(baseUrl);
      if (scripts.length === 0) throw new Error('index.html names no script');
      return { request: { method: 'GET', path: scripts[0], headers: { 'accept-encoding': 'gzip, deflate, br' } } };
    },
  },

  loggedIn: {
    title: 'POST /api/loggedIn (2FA passed)',
    connections: (o) => o.connections,
    readOnly: true,
    async prepare(baseUrl) {
      const { person, browser } = await register(baseUrl, 'reader');
      await passTwoFactor(browser, person);
      const check = await browser.post('/api/loggedIn', {}, { expect: 200 });
      if (field(check.body, 'url') !== '/protected') throw new Error(`loggedIn says ${JSON.stringify(check.body)}`);
      return { request: { method: 'POST', path: '/api/loggedIn', headers: json(browser.jar, 'POST'), body: '{}' } };
    },
  },

  /** The same at 10 connections: less queueing, so less of each event-loop turn is shared. */
  loggedIn10: {
    title: 'POST /api/loggedIn (2FA passed)',
    connections: () => 10,
    readOnly: true,
    prepare: (baseUrl, opts) => SCENARIOS.loggedIn.prepare(baseUrl, opts),
  },

  protected: {
    title: 'GET /api/protected (2FA passed)',
    connections: (o) => o.connections,
    readOnly: true,
    async prepare(baseUrl) {
      const { person, browser } = await register(baseUrl, 'viewer');
      await passTwoFactor(browser, person);
      await browser.get('/api/protected', { expect: 200 });
      return { request: { method: 'GET', path: '/api/protected', headers: browser.jar.headers('GET') } };
    },
  },

  onetouchstatus: {
    title: 'POST onetouchstatus (final: denied)',
    connections: (o) => o.connections,
    readOnly: true,
    async prepare(baseUrl) {
      const { browser } = await register(baseUrl, 'pusher');
      const created = await browser.post('/api/accountsecurity/onetouch', {}, { expect: 200 });
      const uuid = String(field(created.body, 'approval_request', 'uuid'));
      const approvals = (await browser.get('/sandbox/approvals.json', { expect: 200 })).body;
      if (!Array.isArray(approvals) || !approvals.some((a) => field(a, 'uuid') === uuid)) {
        throw new Error(`approval ${uuid} is not in /sandbox/approvals.json`);
      }
      await browser.post(`/sandbox/approvals/${uuid}/deny`, {}, { expect: 200 });
      const polled = await browser.post('/api/accountsecurity/onetouchstatus', {}, { expect: 200 });
      if (field(polled.body, 'approval_request', 'status') !== 'denied')
        throw new Error(`status after deny: ${JSON.stringify(polled.body)}`);
      return { request: { method: 'POST', path: '/api/accountsecurity/onetouchstatus', headers: json(browser.jar, 'POST'), body: '{}' } };
    },
  },

  login: {
    title: 'POST /api/login (scrypt-bound)',
    connections: (o) => o.loginConnections,
    hashBound: true,
    async prepare(baseUrl) {
      const { person } = await register(baseUrl, 'login');
      // The same user logs in again and again, each time as a fresh visitor (no session cookie).
      const jar = await visitorJar(baseUrl);
      return {
        request: {
          method: 'POST',
          path: '/api/login',
          headers: json(jar, 'POST'),
          body: JSON.stringify({ username: person.username, password: PASSWORD }),
        },
      };
    },
  },

  flow: {
    title: 'login → SMS → inbox → verify',
    connections: (o) => o.flowConnections,
    hashBound: true,
    async prepare(baseUrl, opts) {
      // Enough users that the per-user SMS limit is not what the run measures.
      const pool: Person[] = [];
      for (let i = 0; i < opts.flowUsers; i += 2) {
        const batch = await Promise.all([register(baseUrl, 'flow'), ...(i + 1 < opts.flowUsers ? [register(baseUrl, 'flow')] : [])]);
        pool.push(...batch.map((b) => b.person));
      }
      const visitor = [...(await visitorJar(baseUrl)).cookies];
      const state: { next: number; flows: number; times: number[]; failed: Record<string, number> } = {
        next: 0,
        flows: 0,
        times: [],
        failed: {},
      };
      const fail = (step: string, status: number | string) => {
        const key = `${step} ${status}`;
        state.failed[key] = (state.failed[key] ?? 0) + 1;
      };
      const absorb = (ctx: FlowContext, headers: Record<string, unknown> | undefined) => {
        const lines = Object.entries(headers ?? {})
          .filter(([k]) => k.toLowerCase() === 'set-cookie')
          .flatMap(([, v]) => (Array.isArray(v) ? v.map(String) : [String(v)]));
        for (const { name, value } of parseSetCookies(lines)) {
          if (value === undefined) ctx.cookies = ctx.cookies.filter(([k]) => k !== name);
          else ctx.cookies = [...ctx.cookies.filter(([k]) => k !== name), [name, value]];
        }
      };
      const headersOf = (ctx: FlowContext, method: string) => ({
        ...new CookieJar(ctx.cookies).headers(method),
        'content-type': 'application/json',
      });
      // autocannon passes each connection's context as `object`; here it is a FlowContext.
      const flow = (ctx: object) => ctx as FlowContext;
      /** A step's answer: keep its cookies; the flow goes on only after a 200. */
      const passed =
        (step: string): AutocannonRequest['onResponse'] =>
        (status, _body, context, headers) => {
          const ctx = flow(context);
          absorb(ctx, headers);
          ctx.ok = status === 200;
          if (!ctx.ok) fail(step, status);
        };
      // autocannon's types say setupRequest returns a request; null skips the rest of the sequence.
      const skip = null as unknown as AutocannonRequest;
      const requests: AutocannonRequest[] = [
        {
          method: 'POST',
          path: '/api/login',
          setupRequest(req, context) {
            const person = pool[state.next++ % pool.length];
            const ctx = Object.assign(context, {
              person,
              cookies: visitor,
              started: performance.now(),
              since: Date.now(),
              ok: false,
              code: undefined,
            });
            return { ...req, headers: headersOf(ctx, 'POST'), body: JSON.stringify({ username: person.username, password: PASSWORD }) };
          },
          onResponse: passed('login'),
        },
        {
          method: 'POST',
          path: '/api/accountsecurity/sms',
          setupRequest: (req, context) => (flow(context).ok ? { ...req, headers: headersOf(flow(context), 'POST'), body: '{}' } : skip),
          onResponse: passed('sms'),
        },
        {
          method: 'GET',
          path: '/sandbox/inbox.json',
          setupRequest: (req, context) => (flow(context).ok ? { ...req, headers: {} } : skip),
          onResponse(status, body, context) {
            const ctx = flow(context);
            let inbox: unknown = [];
            try {
              inbox = JSON.parse(body);
            } catch {
              /* counted below */
            }
            ctx.code = status === 200 ? codeFor(inbox, ctx.person, ctx.since) : undefined;
            if (!ctx.code) fail('inbox', status === 200 ? 'no code' : status);
          },
        },
        {
          method: 'POST',
          path: '/api/accountsecurity/verify',
          setupRequest: (req, context) => {
            const ctx = flow(context);
            return ctx.code ? { ...req, headers: headersOf(ctx, 'POST'), body: JSON.stringify({ token: ctx.code }) } : skip;
          },
          onResponse(status, _body, context) {
            if (status === 200) {
              state.flows++;
              state.times.push(performance.now() - flow(context).started);
            } else fail('verify', status);
          },
        },
      ];
      return {
        request: { requests },
        extra(): FlowExtra {
          const out = { flows: state.flows, flowTimesMs: state.times, failedSteps: state.failed };
          Object.assign(state, { flows: 0, times: [], failed: {} });
          return out;
        },
      };
    },
  },
};
