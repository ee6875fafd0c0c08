// The sandbox: an embedded, Authy-compatible API for when no ACCOUNT_SECURITY_API_KEY is set
// (docs/architecture.md, "The sandbox"). The app mounts the router at /sandbox and points its Authy client at
// /sandbox/api; "the phone" is the page at /sandbox.
import { Router } from 'express';
import type mongoose from 'mongoose';
import type { Logger } from '../logger';
import { apiRoutes } from './api';
import { sandboxHostGuard } from './host-guard';
import { ensureSandboxIndexes, sandboxModels } from './models';
import { SandboxService } from './service';
import { viewRoutes } from './views';

export interface SandboxOptions {
  /** The app's connection: models are created on it, never on global mongoose. */
  connection: mongoose.Connection;
  /** The sandbox API key: requests without X-Authy-API-Key equal to it get Authy's 401. */
  apiKey: string;
  /** Absolute URL of the app's OneTouch callback (POST, signed with the API key). */
  callbackUrl: string;
  /** Where the built sandbox.html lives (dist/public). */
  publicDir: string;
  logger: Logger;
  /** Besides the loopback names, the hosts of these URLs may reach the sandbox (PUBLIC_URL, where it listens). */
  allowedUrls?: readonly string[];
  /** Injectable clock for tests. */
  now?: () => Date;
}

export { EXPIRING_COLLECTIONS } from './models';

export function createSandbox(opts: SandboxOptions): Router {
  const models = sandboxModels(opts.connection);
  const service = new SandboxService({
    models,
    apiKey: opts.apiKey,
    callbackUrl: opts.callbackUrl,
    logger: opts.logger,
    now: opts.now ?? (() => new Date()),
  });

  // Unique indexes (one user per phone, one authy id, one uuid) before the first request.
  const ready = ensureSandboxIndexes(models).catch((err: unknown) => {
    opts.logger.error({ err: (err as Error).message }, '[sandbox] could not create its indexes');
  });

  const router = Router();
  router.use(sandboxHostGuard(opts.allowedUrls ?? []));
  router.use(async (_req, _res, next) => {
    await ready;
    next();
  });
  router.use('/api', apiRoutes(service, { apiKey: opts.apiKey, logger: opts.logger }));
  router.use(viewRoutes(service, { publicDir: opts.publicDir, logger: opts.logger }));
  return router;
}
