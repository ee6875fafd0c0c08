// createApp(deps): the whole Express app, with no side effects beyond what deps hold.
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import { authRoutes } from './auth/auth.routes';
import { OWASP_SCRYPT, type ScryptParams } from './auth/password';
import { userModel } from './auth/user.model';
import type { AuthyApi } from './authy/authy-api';
import type { Config } from './config';
import { AttemptLimiter } from './http/attempt-limits';
import { csrfProtection } from './http/csrf';
import { apiNotFound, errorHandler, HttpError } from './http/errors';
import { requireTwoFactorApi } from './http/guards';
import { assetRoutes, pageRoutes } from './http/pages';
import { PUBLIC_DIR } from './paths';
import { requestLog } from './http/request-log';
import { createSessionMiddleware } from './http/session';
import type { Logger } from './logger';
import { CALLBACK_PATH, callbackRoutes } from './twofa/callback.routes';
import { ApprovalStore } from './twofa/approval-store';
import { twoFactorRoutes } from './twofa/twofa.routes';
import { verificationRoutes } from './verification/verification.routes';

export interface AppDeps {
  config: Pick<Config, 'publicUrl' | 'trustProxy'>;
  connection: Connection;
  isFerretDB: boolean;
  authy: AuthyApi;
  /** The key Authy (or the sandbox) signs callbacks with. */
  apiKey: string;
  sessionSecret: string;
  logger: Logger;
  /** The embedded Authy, mounted at /sandbox when present (sandbox mode only). */
  sandbox?: Router;
  publicDir?: string;
  passwordParams?: ScryptParams;
  now?: () => number;
}

const JSON_LIMIT = '10kb';
const CALLBACK_SUBPATH = CALLBACK_PATH.replace(/^\/api/, '');

/** A body that is not JSON is refused with 415 (the Authy callback may also be form-encoded). */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody || req.is('application/json') || (req.path === CALLBACK_SUBPATH && req.is('application/x-www-form-urlencoded')))
    return next();
  next(new HttpError(415, 'Send the request body as application/json.'));
};

export function createApp(deps: AppDeps): Express {
  const { config, connection, authy, logger } = deps;
  const now = deps.now ?? Date.now;
  const secure = config.publicUrl.startsWith('https://');
  const publicDir = deps.publicDir ?? PUBLIC_DIR;
  const users = userModel(connection);
  const approvals = new ApprovalStore(connection, now);
  const limiter = new AttemptLimiter(connection, now);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestLog(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(secure ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: secure,
    }),
  );

  // Liveness and readiness answer before sessions: probes must not create or read them.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await connection.db!.admin().ping();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ error: 'The database is not reachable.' });
    }
  });

  const { middleware: sessions } = createSessionMiddleware({
    client: connection.getClient(),
    dbName: connection.name,
    secret: deps.sessionSecret,
    secure,
    nativeExpiry: !deps.isFerretDB,
    now,
  });

  // Static files and the sandbox need no session: mounted first, they never touch the store.
  app.use('/assets', assetRoutes(publicDir));
  if (deps.sandbox) app.use('/sandbox', deps.sandbox);

  app.use('/api', requireJsonBody, express.json({ limit: JSON_LIMIT, strict: true }));
  app.use(callbackRoutes({ apiKey: deps.apiKey, publicUrl: config.publicUrl, approvals }));
  app.use(sessions);
  app.use(csrfProtection({ secret: deps.sessionSecret, secure }));

  const passwordParams = deps.passwordParams ?? OWASP_SCRYPT;
  app.use('/api', authRoutes({ users, authy, limiter, passwordParams, secureCookies: secure, now }));
  app.use('/api/accountsecurity', twoFactorRoutes({ users, approvals, authy, limiter }));
  app.use('/api/verification', verificationRoutes({ authy, limiter }));

  // GET /api/protected: the content itself, only after 2FA.
  app.get('/api/protected', requireTwoFactorApi, (req, res) => {
    res.json({
      username: req.session.username,
      message: `Welcome, ${req.session.username}. You passed two-factor authentication: this content is protected.`,
    });
  });
  // POST /api/test
  app.post('/api/test', (_req, res) => {
    res.json({ connected: true });
  });
  app.use('/api', apiNotFound);

  app.use(pageRoutes(publicDir));
  app.use((_req, _res, next) => next(new HttpError(404, 'Not found.')));
  app.use(errorHandler(logger));
  return app;
}
