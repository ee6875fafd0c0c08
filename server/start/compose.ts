// Wires the app for a running server: the 2FA provider the configuration names (Authy or Twilio
// Verify), real or played by the embedded sandbox. In sandbox mode the provider's own client
// reaches the sandbox over HTTP at selfUrl, so production code paths run unchanged.
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import { EXPIRING_COLLECTIONS as ACCOUNT } from '../account/account';
import { createApp } from './app';
import type { ScryptParams } from '../auth/password';
import { userModel } from '../auth/user.model';
import { usernameFinder } from '../auth/usernames';
import type { Config } from '../platform/config';
import type { ExpirySpec } from '../db/expiry';
import { EXPIRING_COLLECTIONS as SESSIONS } from '../http/session';
import { EXPIRING_COLLECTIONS as ATTEMPTS } from '../limits/attempt-limiter';
import { EXPIRING_COLLECTIONS as LIMIT_WARNINGS } from '../limits/send-budget';
import type { Logger } from '../platform/logger';
import type { ProviderRecords } from '../auth/user.model';
import type { MetricsSource } from '../metrics/http';
import type { Metrics } from '../metrics/metrics';
import { AUTHY_CALLBACK_PATH, createAuthyProvider } from '../providers/authy/authy-provider';
import type { TwoFactorProvider } from '../providers/provider';
import { createVerifyProvider, VERIFY_WEBHOOK_PATH } from '../providers/verify/verify-provider';
import { EXPIRING_COLLECTIONS as PASSKEYS } from '../passkeys/passkey-store';
import { smtpMailer, type Mailer } from '../platform/mailer';
import { EXPIRING_COLLECTIONS as RESETS } from '../reset/reset-links';
import { EXPIRING_COLLECTIONS as APPROVALS } from '../twofa/approval-store';
import { EXPIRING_COLLECTIONS as ENROLMENT_LOCKS } from '../twofa/enrolment-lock';
import { EXPIRING_COLLECTIONS as USED_CODES } from '../twofa/used-codes';

export interface ComposeOptions {
  config: Pick<
    Config,
    | 'provider'
    | 'sandbox'
    | 'authyApiKey'
    | 'authyApiUrl'
    | 'twilio'
    | 'publicUrl'
    | 'trustProxy'
    | 'limits'
    | 'hashQueueMaxMs'
    | 'hashConcurrency'
    | 'rememberBrowserDays'
    | 'metricsToken'
    | 'smtpUrl'
    | 'mailFrom'
  >;
  connection: Connection;
  isFerretDB: boolean;
  logger: Logger;
  sessionSecret: string;
  /** The sandbox's Authy API key and Twilio auth token; used only in sandbox mode. */
  sandboxKey: string;
  sandboxAuthToken: string;
  /** Where this server itself is reachable (e.g. http://127.0.0.1:1337), for the sandbox's APIs. */
  selfUrl: string;
  publicDir: string;
  passwordParams?: ScryptParams;
  now?: () => number;
  metrics?: Metrics;
  metricsSource?: MetricsSource;
  /** The sandbox's code, in sandbox mode (loadSandbox). */
  sandbox?: SandboxModule;
}

/** The sandbox (its APIs, "the phone", their models, qrcode and otplib): loaded in sandbox mode only. */
export type SandboxModule = typeof import('../sandbox');
export const loadSandbox = (sandboxMode: boolean): Promise<SandboxModule | undefined> =>
  sandboxMode ? import('../sandbox') : Promise.resolve(undefined);

/** Every collection whose documents carry an expiry date (TTL index, or swept on FerretDB). */
export function expiringCollections(sandbox: SandboxModule | undefined): ExpirySpec[] {
  return [
    ...SESSIONS,
    ...ATTEMPTS,
    ...LIMIT_WARNINGS,
    ...APPROVALS,
    ...ENROLMENT_LOCKS,
    ...USED_CODES,
    ...PASSKEYS,
    ...ACCOUNT,
    ...RESETS,
    ...(sandbox?.EXPIRING_COLLECTIONS ?? []),
  ];
}

/** The provider the configuration names: its real API, or the sandbox's copy of it. */
function createProvider(o: ComposeOptions, sandbox: SandboxModule | undefined): TwoFactorProvider<ProviderRecords> {
  const { config } = o;
  if (config.provider === 'verify') {
    const credentials = config.twilio ?? sandbox?.sandboxTwilioAccount(o.sandboxAuthToken);
    if (!credentials) throw new Error('compose: Verify without credentials needs the sandbox');
    return createVerifyProvider({
      ...credentials,
      factorName: new URL(config.publicUrl).hostname,
      baseUrl: sandbox ? o.selfUrl + sandbox.SANDBOX_VERIFY_PATH : undefined,
      now: o.now,
    });
  }
  return createAuthyProvider({
    apiKey: config.authyApiKey ?? o.sandboxKey,
    baseUrl: sandbox ? o.selfUrl + sandbox.SANDBOX_AUTHY_PATH : config.authyApiUrl,
  });
}

export function composeApp(o: ComposeOptions): Express {
  const now = o.now;
  const sandbox = o.config.sandbox ? o.sandbox : undefined;
  if (o.config.sandbox && !sandbox) throw new Error('compose: sandbox mode needs the sandbox (loadSandbox)');
  const sandboxNow = now && (() => new Date(now()));
  // SMTP_URL when set; else, in sandbox mode, the sandbox's mailbox (shown on /sandbox); else no reset by email.
  const mailbox = sandbox && !o.config.smtpUrl ? new sandbox.Mailbox(o.connection, o.logger, sandboxNow) : undefined;
  const mailer: Mailer | undefined = o.config.smtpUrl ? smtpMailer(o.config.smtpUrl, o.config.mailFrom) : mailbox;
  return createApp({
    config: o.config,
    connection: o.connection,
    isFerretDB: o.isFerretDB,
    provider: createProvider(o, sandbox),
    sessionSecret: o.sessionSecret,
    logger: o.logger,
    publicDir: o.publicDir,
    passwordParams: o.passwordParams,
    now,
    metrics: o.metrics,
    metricsSource: o.metricsSource,
    mailer,
    // The sandbox serves both APIs whichever one the app talks to.
    sandbox: sandbox
      ? sandbox.createSandbox({
          connection: o.connection,
          apiKey: o.sandboxKey,
          callbackUrl: o.config.publicUrl + AUTHY_CALLBACK_PATH,
          verify: { ...sandbox.sandboxTwilioAccount(o.sandboxAuthToken), webhookUrl: o.config.publicUrl + VERIFY_WEBHOOK_PATH },
          allowedUrls: [o.config.publicUrl, o.selfUrl],
          publicDir: o.publicDir,
          logger: o.logger,
          findPeople: usernameFinder(userModel(o.connection)),
          now: sandboxNow,
          mailbox,
        })
      : undefined,
  });
}
