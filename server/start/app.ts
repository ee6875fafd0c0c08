// createApp(deps): the whole Express app, wired from its parts, with no side effects beyond
// what deps hold. The order of the middleware is the design: see docs/architecture.md.
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Connection } from 'mongoose';
import { createAccount } from '../account/account';
import { authRoutes } from '../auth/auth.routes';
import { backfillEmailKeys } from '../auth/email-key';
import { hasSession } from '../auth/guards';
import { loginEventsMiddleware } from '../auth/login-events';
import { loginSessionMiddleware } from '../auth/login-session';
import { PasswordHasher, type ScryptParams } from '../auth/password';
import { userModel, type ProviderRecords } from '../auth/user.model';
import { backfillUsernameKeys, onceSucceeded } from '../auth/username-key';
import type { Config } from '../platform/config';
import { watchDatabase } from '../db/availability';
import { csrfProtection } from '../http/csrf';
import { apiNotFound, errorHandler, HttpError } from '../http/errors';
import { healthRoutes } from '../http/health';
import { inSeries } from '../http/in-series';
import { parseJsonBody, requireJsonBody } from '../http/json-body';
import { assetRoutes, pageRoutes } from '../site/pages';
import { requestLog } from '../http/request-log';
import { securityHeaders } from '../http/security-headers';
import { createSessionMiddleware } from '../http/session';
import { AttemptLimiter } from '../limits/attempt-limiter';
import { SendBudget } from '../limits/send-budget';
import type { Logger } from '../platform/logger';
import type { Mailer } from '../platform/mailer';
import { metricsRoute, observeRequests, type MetricsSource } from '../metrics/http';
import { instrumentedProvider } from '../metrics/instrumented-provider';
import type { Metrics } from '../metrics/metrics';
import { isRecording, NO_METRICS } from '../metrics/no-metrics';
import { PasskeyStore } from '../passkeys/passkey-store';
import { passkeyRoutes } from '../passkeys/passkeys.routes';
import { relyingPartyOf } from '../passkeys/relying-party';
import { PUBLIC_DIR } from '../platform/paths';
import { siteRoutes } from '../site/site.routes';
import { protectedRoutes } from '../protected/protected.routes';
import { ResetLinks } from '../reset/reset-links';
import { resetRoutes } from '../reset/reset.routes';
import type { TwoFactorProvider } from '../providers/provider';
import { ApprovalStore } from '../twofa/approval-store';
import { callbackRoutes } from '../twofa/callback.routes';
import { twoFactorRoutes } from '../twofa/twofa.routes';
import { verificationRoutes } from '../verification/verification.routes';

export interface AppDeps {
  config: Pick<
    Config,
    'publicUrl' | 'trustProxy' | 'limits' | 'hashQueueMaxMs' | 'hashConcurrency' | 'rememberBrowserDays' | 'metricsToken'
  >;
  connection: Connection;
  isFerretDB: boolean;
  /** The 2FA API (Authy or Twilio Verify, real or the sandbox's). */
  provider: TwoFactorProvider<ProviderRecords>;
  sessionSecret: string;
  logger: Logger;
  /** The sandbox (the embedded Authy and Twilio Verify, and the phone page), mounted at /sandbox in sandbox mode. */
  sandbox?: Router;
  publicDir?: string;
  passwordParams?: ScryptParams;
  now?: () => number;
  /** Where password reset links are emailed (SMTP, or the sandbox's mailbox); without one there is no reset by email. */
  mailer?: Mailer;
  /** What the app counts (default: a registry of its own when METRICS_TOKEN serves it here, else nothing). */
  metrics?: Metrics;
  /** What GET /metrics shows when METRICS_TOKEN is set (default: `metrics`; in a cluster worker, the primary's sum). */
  metricsSource?: MetricsSource;
}

/** A registry of this app's own, with prom-client loaded only now: an app without metrics never loads it. */
function newMetrics(): Metrics {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../metrics/metrics') as typeof import('../metrics/metrics')).createMetrics();
}

/** API answers are per user and per moment: no cache (browser or proxy) may keep one. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export function createApp(deps: AppDeps): Express {
  const { config, connection, logger } = deps;
  const metrics = deps.metrics ?? (config.metricsToken ? newMetrics() : NO_METRICS);
  // Metrics that nothing reads cost nothing: no timing of requests or of the provider's calls.
  const recording = isRecording(metrics);
  const provider = recording ? instrumentedProvider(deps.provider, metrics) : deps.provider;
  const now = deps.now ?? Date.now;
  const secure = config.publicUrl.startsWith('https://');
  const publicDir = deps.publicDir ?? PUBLIC_DIR;
  const users = userModel(connection);
  const approvals = new ApprovalStore(connection, now);
  const limiter = new AttemptLimiter(connection, now, metrics.limitRefused);
  const limits = config.limits;
  const passwords = new PasswordHasher(deps.passwordParams, config.hashQueueMaxMs, config.hashConcurrency);
  const database = watchDatabase(connection.getClient(), logger, metrics.databaseOutage);
  const sendBudget = new SendBudget(connection, limiter, limits, logger, now);
  // Users written before the keys existed get them once, before the first registration, login or reset lookup.
  const usersReady = onceSucceeded(async () => {
    await backfillUsernameKeys(users, logger);
    await backfillEmailKeys(users);
  });
  const passkeys = new PasskeyStore(connection, now);
  const relyingParty = relyingPartyOf(config.publicUrl);
  const handleError = errorHandler(logger, database.failed);
  const account = createAccount(connection, {
    users,
    provider,
    limiter,
    limits,
    sendBudget,
    passwords,
    logger,
    metrics,
    rememberBrowserDays: config.rememberBrowserDays,
    secureCookies: secure,
    now,
  });

  const app = express();
  app.disable('x-powered-by');
  // No ETag on bodies sent by res.send (a SHA-1 of each): every API answer is no-store, so no
  // client revalidates one. An etag function that gives none (rather than `false`) leaves
  // res.sendFile's own ETag on, so the SPA shell is still revalidated by it.
  app.set('etag', () => undefined);
  app.set('trust proxy', config.trustProxy);
  app.use(requestLog(logger));
  if (recording) app.use(observeRequests(app, metrics));
  app.use(securityHeaders(secure));
  // Routers of one or two routes are entered only on their own paths, not by every request.
  app.get(['/healthz', '/readyz'], healthRoutes(connection));
  if (config.metricsToken) {
    const source = deps.metricsSource ?? { render: () => metrics.registry.metrics(), contentType: metrics.registry.contentType };
    app.use(metricsRoute(config.metricsToken, source));
  }

  // Static files and the sandbox need no session: mounted first, they never touch the store.
  app.use('/assets', assetRoutes(publicDir));
  if (deps.sandbox) app.use('/sandbox', deps.sandbox);

  app.use('/api', inSeries([noStore, requireJsonBody([provider.callback.path.replace(/^\/api/, '')]), ...parseJsonBody()]));
  app.use(
    '/api',
    siteRoutes({
      provider: provider.name,
      sandbox: deps.sandbox !== undefined,
      passkeyOrigin: relyingParty?.origin ?? null,
      rememberBrowserDays: config.rememberBrowserDays,
      passwordReset: deps.mailer !== undefined,
    }),
  );
  // The push callback is signed by the provider and carries no session or CSRF token.
  app.all(provider.callback.path, callbackRoutes({ callback: provider.callback, publicUrl: config.publicUrl, approvals }));
  app.use(
    createSessionMiddleware({
      client: connection.getClient(),
      dbName: connection.name,
      secret: deps.sessionSecret,
      secure,
      nativeExpiry: !deps.isFerretDB,
      onSaveError: (err, req, res) => handleError(err, req, res, () => {}),
    }),
  );
  app.use(loginSessionMiddleware(now));
  app.use(loginEventsMiddleware(account.listener));
  app.use(csrfProtection({ secret: deps.sessionSecret, secure, hasSession }));

  app.use(
    '/api',
    authRoutes({
      users,
      provider,
      limiter,
      limits,
      passwords,
      secureCookies: secure,
      now,
      usersReady,
      recognisedBrowser: account.recognisedBrowser,
      metrics,
    }),
  );
  app.use('/api/accountsecurity', twoFactorRoutes({ users, approvals, provider, limiter, limits, sendBudget, now, metrics }));
  app.use('/api/verification', verificationRoutes({ provider, limiter, limits, sendBudget }));
  app.use('/api/passkeys', passkeyRoutes({ users, passkeys, limiter, limits, relyingParty, logger, now, metrics }));
  app.use('/api', protectedRoutes());
  app.use('/api/account', account.routes);
  app.use(
    '/api',
    resetRoutes({
      users,
      links: new ResetLinks(connection, now),
      mailer: deps.mailer,
      limiter,
      limits,
      passwords,
      logger,
      publicUrl: config.publicUrl,
      usersReady,
      afterReset: account.afterPasswordReset,
    }),
  );
  app.use('/api', apiNotFound);

  app.use(pageRoutes(publicDir));
  app.use((_req, _res, next) => next(new HttpError(404, 'Not found.')));
  app.use(account.recordLockouts);
  app.use(handleError);
  return app;
}
