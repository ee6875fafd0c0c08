// Wires the app for a running server: a real Authy key, or the embedded sandbox that the app's
// own Authy client reaches over HTTP at selfUrl (so production code paths run unchanged).
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import { createApp } from './app';
import type { ScryptParams } from './auth/password';
import { createAuthyApi } from './authy/authy-api';
import type { Config } from './config';
import type { ExpirySpec } from './db/expiry';
import { EXPIRING_COLLECTIONS as SESSIONS } from './http/session';
import { EXPIRING_COLLECTIONS as ATTEMPTS } from './limits/attempt-limiter';
import { EXPIRING_COLLECTIONS as LIMIT_WARNINGS } from './limits/send-budget';
import type { Logger } from './logger';
import { EXPIRING_COLLECTIONS as PASSKEYS } from './passkeys/passkey-store';
import { createSandbox, EXPIRING_COLLECTIONS as SANDBOX } from './sandbox';
import { EXPIRING_COLLECTIONS as APPROVALS } from './twofa/approval-store';
import { CALLBACK_PATH } from './twofa/callback.routes';

export interface ComposeOptions {
  config: Pick<Config, 'authyApiKey' | 'authyApiUrl' | 'publicUrl' | 'trustProxy' | 'limits' | 'hashQueueMaxMs'>;
  connection: Connection;
  isFerretDB: boolean;
  logger: Logger;
  sessionSecret: string;
  /** The sandbox's API key; used only without a real key. */
  sandboxKey: string;
  /** Where this server itself is reachable (e.g. http://127.0.0.1:1337), for the sandbox's API. */
  selfUrl: string;
  publicDir: string;
  passwordParams?: ScryptParams;
  now?: () => number;
}

/** Every collection whose documents carry an expiry date (TTL index, or swept on FerretDB). */
export function expiringCollections(sandboxMode: boolean): ExpirySpec[] {
  return [...SESSIONS, ...ATTEMPTS, ...LIMIT_WARNINGS, ...APPROVALS, ...PASSKEYS, ...(sandboxMode ? SANDBOX : [])];
}

export const isSandboxMode = (config: Pick<Config, 'authyApiKey'>) => config.authyApiKey === undefined;

export function composeApp(o: ComposeOptions): Express {
  const sandboxMode = isSandboxMode(o.config);
  const apiKey = o.config.authyApiKey ?? o.sandboxKey;
  const now = o.now;
  return createApp({
    config: o.config,
    connection: o.connection,
    isFerretDB: o.isFerretDB,
    authy: createAuthyApi({ apiKey, baseUrl: sandboxMode ? `${o.selfUrl}/sandbox/api` : o.config.authyApiUrl }),
    apiKey,
    sessionSecret: o.sessionSecret,
    logger: o.logger,
    publicDir: o.publicDir,
    passwordParams: o.passwordParams,
    now,
    sandbox: sandboxMode
      ? createSandbox({
          connection: o.connection,
          apiKey,
          callbackUrl: o.config.publicUrl + CALLBACK_PATH,
          allowedUrls: [o.config.publicUrl, o.selfUrl],
          publicDir: o.publicDir,
          logger: o.logger,
          now: now && (() => new Date(now())),
        })
      : undefined,
  });
}
