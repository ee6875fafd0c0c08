// Configuration from the environment, validated once. A bad value throws an Error naming the
// variable; only server/index.ts turns that into an exit.
import { availableParallelism } from 'node:os';
import ipaddr from 'ipaddr.js';
import { compile as compileTrust } from 'proxy-addr';
import { z } from 'zod';
import { limitsFrom, type Limits } from './limits-config';

export type ProviderName = 'authy' | 'verify';

/** A Twilio account's Verify Service: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, VERIFY_SERVICE_SID. */
export interface TwilioVerifyCredentials {
  accountSid: string;
  authToken: string;
  serviceSid: string;
  /** VERIFY_DEMO_SERVICE_SID: a Service for the phone verification demo alone (else it shares serviceSid). */
  demoServiceSid?: string;
}

export interface Config {
  port: number;
  host: string;
  nodeEnv: 'development' | 'production' | 'test';
  mongodbUri?: string;
  /** Which 2FA API the app talks to: Authy, or Twilio Verify v2. */
  provider: ProviderName;
  /** No real credentials: the embedded sandbox plays both APIs and the app talks to it. */
  sandbox: boolean;
  /** Real Authy key (provider authy, not sandbox). */
  authyApiKey?: string;
  authyApiUrl: string;
  sandboxKey?: string;
  /** Real Twilio Verify credentials (provider verify, not sandbox). */
  twilio?: TwilioVerifyCredentials;
  /** The sandbox's Twilio auth token (VERIFY_SANDBOX_AUTH_TOKEN); generated when absent. */
  verifySandboxAuthToken?: string;
  sessionSecret?: string;
  publicUrl: string;
  /** Express `trust proxy`: off, a hop count, or a list of addresses, CIDR ranges and range names. */
  trustProxy: false | number | string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Attempt limits (LIMIT_* variables). */
  limits: Limits;
  /** A request that would wait for a password hash and be answered later than this after it arrived is refused with 503 (HASH_QUEUE_MAX_SECONDS). */
  hashQueueMaxMs: number;
  /** HTTP worker processes (WEB_CONCURRENCY; `auto` is one per core). 1: no cluster. */
  webConcurrency: number;
  /** Password hashes one process runs at once: the cores shared among the workers, at least 1. */
  hashConcurrency: number;
  /** How long start-up waits for an unreachable database before it exits (DB_CONNECT_TIMEOUT). */
  dbConnectTimeoutMs: number;
  /** How long "Remember this browser" skips the second factor (REMEMBER_BROWSER_DAYS); 0 turns it off. */
  rememberBrowserDays: number;
  /** GET /metrics on the app's port with `Authorization: Bearer <this>` (METRICS_TOKEN); off when unset. */
  metricsToken?: string;
  /** GET /metrics on its own port, on loopback only (METRICS_PORT); off when unset. */
  metricsPort?: number;
  /** Where password reset emails go out (SMTP_URL); unset: the sandbox's outbox in sandbox mode, else no reset by email. */
  smtpUrl?: string;
  /** The sender of those emails (MAIL_FROM). */
  mailFrom: string;
}

const optional = z.string().optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(1337),
  HOST: optional,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  MONGODB_URI: optional.refine(
    (v) => v === undefined || /^mongodb(\+srv)?:\/\/\S+$/.test(v),
    'must start with mongodb:// or mongodb+srv://',
  ),
  MONGO_CONNECTION: optional.refine(
    (v) => v === undefined || /^mongodb(\+srv)?:\/\/\S+$/.test(v),
    'must start with mongodb:// or mongodb+srv://',
  ),
  ACCOUNT_SECURITY_API_KEY: optional,
  AUTHY_API_URL: optional.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), 'must be an http(s) URL'),
  AUTHY_SANDBOX_KEY: optional.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  TWILIO_ACCOUNT_SID: optional.refine((v) => v === undefined || /^AC[0-9a-fA-F]{32}$/.test(v), 'must be AC followed by 32 hex digits'),
  TWILIO_AUTH_TOKEN: optional.refine((v) => v === undefined || /^\S{16,}$/.test(v), 'must be at least 16 characters'),
  VERIFY_SERVICE_SID: optional.refine((v) => v === undefined || /^VA[0-9a-fA-F]{32}$/.test(v), 'must be VA followed by 32 hex digits'),
  VERIFY_DEMO_SERVICE_SID: optional.refine((v) => v === undefined || /^VA[0-9a-fA-F]{32}$/.test(v), 'must be VA followed by 32 hex digits'),
  VERIFY_SANDBOX_AUTH_TOKEN: optional.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  TWOFA_PROVIDER: z.enum(['authy', 'verify']).optional(),
  SESSION_SECRET: optional.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters'),
  PUBLIC_URL: optional.refine((v) => v === undefined || /^https?:\/\/[^/]+\/?$/.test(v), 'must be an origin such as https://example.com'),
  TRUST_PROXY: optional,
  SANDBOX_ALLOW_REMOTE: z.enum(['true', 'false']).default('false'),
  SANDBOX_DEMO: z.enum(['true', 'false']).default('false'),
  METRICS_TOKEN: optional.refine((v) => v === undefined || /^[\x21-\x7e]{32,}$/.test(v), 'must be at least 32 printable characters'),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  HASH_QUEUE_MAX_SECONDS: z.coerce.number().min(0.1).max(600).default(5),
  WEB_CONCURRENCY: z
    .string()
    .regex(/^(auto|\d+)$/, 'must be a number of workers (1 to 64) or auto')
    .refine((v) => v === 'auto' || (Number(v) >= 1 && Number(v) <= 64), 'must be a number of workers (1 to 64) or auto')
    .default('1'),
  DB_CONNECT_TIMEOUT: z.coerce.number().min(1).max(3600).default(30),
  REMEMBER_BROWSER_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  SMTP_URL: optional.refine((v) => v === undefined || /^smtps?:\/\/\S+$/.test(v), 'must start with smtp:// or smtps://'),
  MAIL_FROM: z.string().max(200).default('Account Security Quickstart <no-reply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * Express's `trust proxy` forms: a hop count, or addresses, CIDR ranges and the names loopback,
 * linklocal and uniquelocal, comma-separated. `true` would take the client's address from
 * whatever X-Forwarded-For the client sends, and so make every per-address limit useless.
 */
function parseTrustProxy(value: string | undefined): false | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') {
    throw new Error(
      'Invalid configuration: TRUST_PROXY must not be true (any client could then choose its address); give the hop count or the addresses of your proxies, e.g. 1 or loopback',
    );
  }
  if (/^\d{1,2}$/.test(value)) return Number(value);
  try {
    compileTrust(value.split(',').map((part) => part.trim()));
  } catch {
    throw new Error(
      'Invalid configuration: TRUST_PROXY must be a hop count or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal',
    );
  }
  return value;
}

/** Together they select Twilio Verify; one without the others is a mistake, not "unset". */
const TWILIO_VARIABLES = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'VERIFY_SERVICE_SID'] as const;

type Parsed = z.infer<typeof schema>;

/** Which API the app talks to, and whether through the sandbox; throws when the credentials say two things. */
function chooseProvider(e: Parsed): { provider: ProviderName; sandbox: boolean; twilio?: TwilioVerifyCredentials } {
  const given = TWILIO_VARIABLES.filter((name) => e[name] !== undefined);
  if (given.length > 0 && given.length < TWILIO_VARIABLES.length) {
    const missing = TWILIO_VARIABLES.filter((name) => e[name] === undefined);
    throw new Error(`Invalid configuration: ${missing.join(' and ')} must be set with ${given.join(' and ')} to use Twilio Verify`);
  }
  const twilio: TwilioVerifyCredentials | undefined =
    e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.VERIFY_SERVICE_SID
      ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, serviceSid: e.VERIFY_SERVICE_SID }
      : undefined;
  if (e.VERIFY_DEMO_SERVICE_SID !== undefined) {
    if (!twilio) throw new Error(`Invalid configuration: VERIFY_DEMO_SERVICE_SID needs ${TWILIO_VARIABLES.join(', ')}`);
    if (e.VERIFY_DEMO_SERVICE_SID === e.VERIFY_SERVICE_SID) {
      throw new Error('Invalid configuration: VERIFY_DEMO_SERVICE_SID must be another Service than VERIFY_SERVICE_SID (or unset)');
    }
    twilio.demoServiceSid = e.VERIFY_DEMO_SERVICE_SID;
  }
  const authy = e.ACCOUNT_SECURITY_API_KEY !== undefined;
  if (!authy && !twilio) return { provider: e.TWOFA_PROVIDER ?? 'authy', sandbox: true };
  if (authy && twilio && !e.TWOFA_PROVIDER) {
    throw new Error('Invalid configuration: TWOFA_PROVIDER must be authy or verify when both Authy and Twilio Verify credentials are set');
  }
  const provider = e.TWOFA_PROVIDER ?? (twilio ? 'verify' : 'authy');
  if (provider === 'verify' && !twilio) {
    throw new Error('Invalid configuration: TWOFA_PROVIDER=verify needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and VERIFY_SERVICE_SID');
  }
  if (provider === 'authy' && !authy) throw new Error('Invalid configuration: TWOFA_PROVIDER=authy needs ACCOUNT_SECURITY_API_KEY');
  return { provider, sandbox: false, twilio: provider === 'verify' ? twilio : undefined };
}

/**
 * Each scrypt takes 128 MiB and a core for a few hundred ms: the machine's cores are shared
 * among the workers, so N workers run at most `cores` hashes at once, not N × cores.
 */
export function hashConcurrency(cores: number, workers: number): number {
  return Math.max(1, Math.floor(cores / workers));
}

/** localhost, 127.0.0.0/8 or ::1. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.parse(host).range() === 'loopback';
}

/**
 * NODE_ENV=production (the container image's default) runs only on what production needs: a real
 * 2FA API, your MongoDB and a session secret shared by every instance; all that is missing is
 * named in one line. SANDBOX_DEMO=true is the one way to run the sandbox there (a local demo, as
 * compose.yaml does); its session secret may then be generated in .data/.
 */
function requireProductionSettings(e: Parsed, sandbox: boolean): void {
  const demo = sandbox && e.SANDBOX_DEMO === 'true';
  const missing = [
    ...(sandbox && !demo
      ? ['ACCOUNT_SECURITY_API_KEY (Authy) or TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and VERIFY_SERVICE_SID (Twilio Verify)']
      : []),
    ...((e.MONGODB_URI ?? e.MONGO_CONNECTION) ? [] : ['MONGODB_URI']),
    ...(e.SESSION_SECRET !== undefined || demo ? [] : ['SESSION_SECRET']),
  ];
  if (missing.length === 0) return;
  throw new Error(
    `Invalid configuration: NODE_ENV=production needs ${missing.join(', ')}` +
      (sandbox && !demo ? '; the sandbox is for development, or for a local demo with SANDBOX_DEMO=true' : ''),
  );
}

/** Variables that must not be set but blank: a secret that did not arrive is a mistake, not a wish for the sandbox. */
const NOT_BLANK = ['ACCOUNT_SECURITY_API_KEY', ...TWILIO_VARIABLES] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  for (const name of NOT_BLANK) {
    if (env[name] !== undefined && env[name].trim() === '') {
      throw new Error(`Invalid configuration: ${name} is set but blank (remove the line, or give it a value; unset means the sandbox)`);
    }
  }
  // Other empty or blank values count as unset (a .env line such as `PORT=`).
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed) present[key] = trimmed;
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const e = parsed.data;
  const { provider, sandbox, twilio } = chooseProvider(e);
  if (e.NODE_ENV === 'production') requireProductionSettings(e, sandbox);
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) {
    throw new Error('Invalid configuration: METRICS_PORT must differ from PORT');
  }
  // The sandbox hands out codes to anyone who can reach it, so it stays on loopback unless asked twice.
  const host = e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0');
  if (sandbox && !isLoopback(host) && e.SANDBOX_ALLOW_REMOTE !== 'true') {
    throw new Error(
      `Invalid configuration: HOST ${host} is not loopback, and the sandbox shows every code to whoever reaches it; use 127.0.0.1, or set SANDBOX_ALLOW_REMOTE=true if you mean it`,
    );
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const webConcurrency = e.WEB_CONCURRENCY === 'auto' ? availableParallelism() : Number(e.WEB_CONCURRENCY);
  return {
    port: e.PORT,
    host,
    nodeEnv: e.NODE_ENV,
    mongodbUri: e.MONGODB_URI ?? e.MONGO_CONNECTION,
    provider,
    sandbox,
    authyApiKey: provider === 'authy' ? e.ACCOUNT_SECURITY_API_KEY : undefined,
    authyApiUrl: (e.AUTHY_API_URL ?? 'https://api.authy.com').replace(/\/$/, ''),
    sandboxKey: e.AUTHY_SANDBOX_KEY,
    twilio,
    verifySandboxAuthToken: e.VERIFY_SANDBOX_AUTH_TOKEN,
    sessionSecret: e.SESSION_SECRET,
    publicUrl,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    limits: limitsFrom(present),
    hashQueueMaxMs: e.HASH_QUEUE_MAX_SECONDS * 1000,
    webConcurrency,
    hashConcurrency: hashConcurrency(availableParallelism(), webConcurrency),
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT * 1000,
    rememberBrowserDays: e.REMEMBER_BROWSER_DAYS,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
  };
}
