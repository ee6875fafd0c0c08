// Configuration from the environment, validated once. A bad value throws an Error naming the
// variable; only server/index.ts turns that into an exit.
import ipaddr from 'ipaddr.js';
import { compile as compileTrust } from 'proxy-addr';
import { z } from 'zod';
import { limitsFrom, type Limits } from './limits/limits';

export interface Config {
  port: number;
  host: string;
  nodeEnv: 'development' | 'production' | 'test';
  mongodbUri?: string;
  /** Real Authy key; when absent the app runs against its embedded sandbox. */
  authyApiKey?: string;
  authyApiUrl: string;
  sandboxKey?: string;
  sessionSecret?: string;
  publicUrl: string;
  /** Express `trust proxy`: off, a hop count, or a list of addresses, CIDR ranges and range names. */
  trustProxy: false | number | string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Attempt limits (LIMIT_* variables). */
  limits: Limits;
  /** Password hashing waiting longer than this is refused with 503 (HASH_QUEUE_MAX_SECONDS). */
  hashQueueMaxMs: number;
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
  SESSION_SECRET: optional.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters'),
  PUBLIC_URL: optional.refine((v) => v === undefined || /^https?:\/\/[^/]+\/?$/.test(v), 'must be an origin such as https://example.com'),
  TRUST_PROXY: optional,
  SANDBOX_ALLOW_REMOTE: z.enum(['true', 'false']).default('false'),
  HASH_QUEUE_MAX_SECONDS: z.coerce.number().min(0.1).max(600).default(5),
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

/** localhost, 127.0.0.0/8 or ::1. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.parse(host).range() === 'loopback';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A key that is set but blank is a mistake (a secret that did not arrive), not a wish for the sandbox.
  if (env.ACCOUNT_SECURITY_API_KEY !== undefined && env.ACCOUNT_SECURITY_API_KEY.trim() === '') {
    throw new Error('Invalid configuration: ACCOUNT_SECURITY_API_KEY is set but blank; unset it to use the sandbox');
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
  const sandbox = e.ACCOUNT_SECURITY_API_KEY === undefined;
  if (sandbox && e.NODE_ENV === 'production') {
    throw new Error(
      'Invalid configuration: ACCOUNT_SECURITY_API_KEY is required when NODE_ENV=production (the sandbox is for development only)',
    );
  }
  if (e.NODE_ENV === 'production' && e.SESSION_SECRET === undefined) {
    throw new Error('Invalid configuration: SESSION_SECRET is required when NODE_ENV=production');
  }
  // The sandbox hands out codes to anyone who can reach it, so it stays on loopback unless asked twice.
  const host = e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0');
  if (sandbox && !isLoopback(host) && e.SANDBOX_ALLOW_REMOTE !== 'true') {
    throw new Error(
      `Invalid configuration: HOST ${host} is not loopback, and the sandbox shows every code to whoever reaches it; use 127.0.0.1, or set SANDBOX_ALLOW_REMOTE=true if you mean it`,
    );
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    port: e.PORT,
    host,
    nodeEnv: e.NODE_ENV,
    mongodbUri: e.MONGODB_URI ?? e.MONGO_CONNECTION,
    authyApiKey: e.ACCOUNT_SECURITY_API_KEY,
    authyApiUrl: (e.AUTHY_API_URL ?? 'https://api.authy.com').replace(/\/$/, ''),
    sandboxKey: e.AUTHY_SANDBOX_KEY,
    sessionSecret: e.SESSION_SECRET,
    publicUrl,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    limits: limitsFrom(present),
    hashQueueMaxMs: e.HASH_QUEUE_MAX_SECONDS * 1000,
  };
}
