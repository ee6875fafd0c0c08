// Configuration from the environment, validated once. A bad value throws an Error naming the
// variable; only server/index.ts turns that into an exit.
import { availableParallelism } from 'node:os';
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
  trustProxy: boolean | number | string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Attempt limits (LIMIT_* variables). */
  limits: Limits;
  /** Password hashing waiting longer than this is refused with 503 (HASH_QUEUE_MAX_SECONDS). */
  hashQueueMaxMs: number;
  /** HTTP worker processes (WEB_CONCURRENCY; `auto` is one per core). 1: no cluster. */
  webConcurrency: number;
  /** How long start-up waits for an unreachable database before it exits (DB_CONNECT_TIMEOUT). */
  dbConnectTimeoutMs: number;
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
  HASH_QUEUE_MAX_SECONDS: z.coerce.number().min(0.1).max(600).default(5),
  WEB_CONCURRENCY: z
    .string()
    .regex(/^(auto|\d+)$/, 'must be a number of workers (1 to 64) or auto')
    .refine((v) => v === 'auto' || (Number(v) >= 1 && Number(v) <= 64), 'must be a number of workers (1 to 64) or auto')
    .default('1'),
  DB_CONNECT_TIMEOUT: z.coerce.number().min(1).max(3600).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Express's `trust proxy`: true/false, a hop count, or a list of addresses. */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty or blank values count as unset (a .env line such as `PORT=`).
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
  // The sandbox hands out codes to anyone who can reach it, so it stays on loopback unless HOST says otherwise.
  const host = e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0');
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
    webConcurrency: e.WEB_CONCURRENCY === 'auto' ? availableParallelism() : Number(e.WEB_CONCURRENCY),
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT * 1000,
  };
}
