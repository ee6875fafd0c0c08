// npm run lighthouse: Lighthouse (its CLI, headless Debian Chromium) against the app in sandbox
// mode on a throw-away database, on both providers, at phone and desktop sizes, for the pages a
// person meets first: /, /register, /login, /2fa (logged in at the password stage) and /sandbox
// (with a code, a push request and a soft token to show). Prints CLS and the accessibility score
// of each, and the audits that failed. scripts/lighthouse.mjs bundles this file and runs it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProviderName } from '../server/platform/config';
import { loadConfig } from '../server/platform/config';
import { connectDatabase } from '../server/db/connect';
import { resolveDatabase } from '../server/embedded-db/resolve';
import { createLogger } from '../server/platform/logger';
import { startServer } from '../server/start/start-server';

const ROOT = process.env.LIGHTHOUSE_ROOT ?? process.cwd();
const PUBLIC_DIR = path.join(ROOT, 'dist', 'public');
const LIGHTHOUSE_CLI = path.join(ROOT, 'node_modules', 'lighthouse', 'cli', 'index.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROME_FLAGS = '--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update';
const PAGES = ['/', '/register', '/login', '/2fa', '/sandbox'];
const CATEGORIES = 'performance,accessibility,best-practices,seo';

const { values: args } = parseArgs({
  options: {
    provider: { type: 'string', default: 'both' },
    'form-factor': { type: 'string', default: 'both' },
    pages: { type: 'string', default: PAGES.join(',') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npm run lighthouse -- [--provider authy|verify|both] [--form-factor mobile|desktop|both] [--pages /,/login]');
  process.exit(0);
}
const both = <T extends string>(value: string, all: readonly T[]): T[] => (value === 'both' ? [...all] : [value as T]);
const providers = both<ProviderName>(args.provider, ['authy', 'verify']);
const formFactors = both<'mobile' | 'desktop'>(args['form-factor'], ['mobile', 'desktop']);
const pages = args.pages.split(',').filter(Boolean);

interface Audit {
  id: string;
  title: string;
  score: number | null;
  scoreDisplayMode: string;
  displayValue?: string;
  numericValue?: number;
}
interface LighthouseResult {
  /** Where the page ended up (a guarded page that redirected would not be the page meant). */
  finalDisplayedUrl: string;
  categories: Record<string, { score: number | null }>;
  audits: Record<string, Audit>;
  runtimeError?: { message: string };
}

/** A browser session as the SPA keeps it: the session cookie and the CSRF cookie it echoes. */
class Visitor {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly baseUrl: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, urlPath: string, body?: object): Promise<unknown> {
    const xsrf = this.cookies.get('XSRF-TOKEN');
    const res = await fetch(this.baseUrl + urlPath, {
      method,
      headers: {
        Accept: 'application/json',
        Cookie: this.cookieHeader,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(xsrf ? { 'X-XSRF-TOKEN': decodeURIComponent(xsrf) } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    if (!res.ok) throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
  }
}

/** A registered person at the password stage, with a code in the sandbox's inbox and a push request pending. */
async function personAtTwoFactor(baseUrl: string): Promise<Visitor> {
  const visitor = new Visitor(baseUrl);
  const name = `lh${randomBytes(3).toString('hex')}`;
  await visitor.request('GET', '/');
  await visitor.request('POST', '/api/user/register', {
    username: name,
    email: `${name}@example.com`,
    password: randomBytes(12).toString('hex'),
    country_code: '1',
    phone_number: `415555${String(1000 + Math.floor(Math.random() * 9000))}`,
  });
  await visitor.request('POST', '/api/accountsecurity/sms');
  // On Verify the push goes to the sandbox's stand-in device; either way the sandbox lists it.
  await visitor.request('POST', '/api/accountsecurity/onetouch');
  return visitor;
}

function lighthouse(url: string, formFactor: 'mobile' | 'desktop', cookie?: string): Promise<LighthouseResult> {
  const flags = [
    LIGHTHOUSE_CLI,
    url,
    '--output=json',
    '--output-path=stdout',
    '--quiet',
    `--only-categories=${CATEGORIES}`,
    `--chrome-flags=${CHROME_FLAGS}`,
    ...(formFactor === 'desktop' ? ['--preset=desktop'] : []),
    ...(cookie ? [`--extra-headers=${JSON.stringify({ Cookie: cookie })}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, flags, { env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`lighthouse ${url} exited ${code}: ${err.trim().split('\n').slice(-5).join('\n')}`));
      try {
        resolve(JSON.parse(out) as LighthouseResult);
      } catch {
        reject(new Error(`lighthouse ${url}: no JSON report`));
      }
    });
  });
}

/** Lighthouse now and then fails to record a trace (NO_NAVSTART, more often on a busy machine): such a run is repeated. */
async function lighthouseWithRetries(url: string, formFactor: 'mobile' | 'desktop', cookie?: string): Promise<LighthouseResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await lighthouse(url, formFactor, cookie);
      if (!result.runtimeError || attempt === 3) return result;
    } catch (err) {
      if (attempt === 3) throw err;
    }
    console.log(`     (Lighthouse could not record ${url}; trying again)`);
  }
}

/** Failed audits worth a line (scored below 0.9), besides the ones that are only informative. */
function failedAudits(result: LighthouseResult): string[] {
  return Object.values(result.audits)
    .filter((a) => a.score !== null && a.score < 0.9 && (a.scoreDisplayMode === 'binary' || a.scoreDisplayMode === 'metricSavings'))
    .map((a) => `${a.id}${a.displayValue ? ` (${a.displayValue})` : ''}`);
}

const pct = (score: number | null | undefined) =>
  score === null || score === undefined ? '  —' : String(Math.round(score * 100)).padStart(3);

async function runProvider(provider: ProviderName): Promise<boolean> {
  const logger = createLogger('warn');
  const database = await resolveDatabase({ uri: process.env.MONGODB_URI, dataDir: tmpdir(), ephemeral: true, logger });
  const { connection, isFerretDB } = await connectDatabase(database.uri, { dbName: `lighthouse_${randomBytes(4).toString('hex')}` });
  const running = await startServer({
    config: ({ url }) => ({ ...loadConfig({ TWOFA_PROVIDER: provider }), publicUrl: url.replace('//127.0.0.1:', '//localhost:') }),
    port: 0,
    host: '127.0.0.1',
    connection,
    isFerretDB,
    logger,
    sessionSecret: randomBytes(32).toString('hex'),
    sandboxKey: randomBytes(24).toString('hex'),
    sandboxAuthToken: randomBytes(24).toString('hex'),
    publicDir: PUBLIC_DIR,
  });
  const base = running.url.replace('//127.0.0.1:', '//localhost:');
  let ok = true;
  try {
    const person = await personAtTwoFactor(running.url);
    for (const formFactor of formFactors) {
      for (const page of pages) {
        const result = await lighthouseWithRetries(base + page, formFactor, page === '/2fa' ? person.cookieHeader : undefined);
        if (result.runtimeError) throw new Error(`${page}: ${result.runtimeError.message}`);
        const cls = result.audits['cumulative-layout-shift']?.numericValue ?? NaN;
        const a11y = result.categories.accessibility?.score;
        const landed = new URL(result.finalDisplayedUrl).pathname;
        const good = cls < 0.1 && a11y === 1 && landed === page;
        ok &&= good;
        console.log(
          `${good ? 'ok  ' : 'FAIL'} ${provider.padEnd(6)} ${formFactor.padEnd(7)} ${page.padEnd(9)}` +
            ` CLS ${cls.toFixed(3)}  accessibility ${pct(a11y)}  performance ${pct(result.categories.performance?.score)}` +
            `  best practices ${pct(result.categories['best-practices']?.score)}  SEO ${pct(result.categories.seo?.score)}`,
        );
        if (landed !== page) console.log(`     landed on ${landed} instead`);
        const failed = failedAudits(result);
        if (failed.length > 0) console.log(`     below 90: ${failed.join(', ')}`);
      }
    }
  } finally {
    await running.close(0);
    await connection.dropDatabase().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await database.stop().catch(() => undefined);
  }
  return ok;
}

async function main(): Promise<void> {
  console.log(`Lighthouse on ${pages.join(' ')}: CLS must stay under 0.1 and accessibility at 100.`);
  let ok = true;
  for (const provider of providers) ok = (await runProvider(provider)) && ok;
  process.exit(ok ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(`lighthouse: ${err.stack ?? err.message}`);
  process.exit(1);
});
