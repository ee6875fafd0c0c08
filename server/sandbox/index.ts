// The sandbox: embedded copies of the Authy API and of Twilio Verify v2 for when no credentials
// are set (docs/architecture.md, "The sandbox"). The app mounts the router at /sandbox; Authy
// lives at /sandbox/api, Verify at /sandbox/verify (both at all times: TWOFA_PROVIDER picks the
// one the app talks to), and "the phone" is the page at /sandbox.
import { Router } from 'express';
import type mongoose from 'mongoose';
import type { TwilioVerifyCredentials } from '../platform/config';
import type { ExpirySpec } from '../db/expiry';
import type { Logger } from '../platform/logger';
import { apiRoutes } from './api';
import type { FindPeople } from './people';
import { sandboxHostGuard } from './host-guard';
import { EXPIRING_COLLECTIONS as AUTHY_COLLECTIONS, ensureSandboxIndexes, sandboxModels } from './models';
import { SandboxService } from './service';
import { verifyApiRoutes } from './verify/api';
import { VERIFY_EXPIRING_COLLECTIONS, verifyModels } from './verify/models';
import { VerifySandbox } from './verify/service';
import { viewRoutes } from './views';

export { sandboxTwilioAccount } from './verify/credentials';

/** Where the app finds each API (below its own URL). */
export const SANDBOX_AUTHY_PATH = '/sandbox/api';
export const SANDBOX_VERIFY_PATH = '/sandbox/verify';

export interface SandboxOptions {
  /** The app's connection: models are created on it, never on global mongoose. */
  connection: mongoose.Connection;
  /** The sandbox API key: requests without X-Authy-API-Key equal to it get Authy's 401. */
  apiKey: string;
  /** Absolute URL of the app's OneTouch callback (POST, signed with the API key). */
  callbackUrl: string;
  /** The sandbox's Twilio account and Verify Service, and the app's Verify webhook URL. */
  verify: TwilioVerifyCredentials & { webhookUrl: string };
  /** Where the built sandbox.html lives (dist/public). */
  publicDir: string;
  logger: Logger;
  /** Besides the loopback names, the hosts of these URLs may reach the sandbox (PUBLIC_URL, where it listens). */
  allowedUrls?: readonly string[];
  /** The app's usernames behind the rows of the page (sandbox/people.ts); without it, rows name ids only. */
  findPeople?: FindPeople;
  /** Injectable clock for tests. */
  now?: () => Date;
}

export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [...AUTHY_COLLECTIONS, ...VERIFY_EXPIRING_COLLECTIONS];

export function createSandbox(opts: SandboxOptions): Router {
  const now = opts.now ?? (() => new Date());
  const models = sandboxModels(opts.connection);
  const service = new SandboxService({ models, apiKey: opts.apiKey, callbackUrl: opts.callbackUrl, logger: opts.logger, now });
  const verifyStore = verifyModels(opts.connection);
  const verify = new VerifySandbox({ models: verifyStore, claims: models.claims, ...opts.verify, logger: opts.logger, now });
  // The phone verification demo's own Service: its Verifications never meet the 2FA codes.
  const demoServiceSid = opts.verify.demoServiceSid;
  const verifyServices = demoServiceSid
    ? [
        verify,
        new VerifySandbox({
          models: verifyStore,
          claims: models.claims,
          ...opts.verify,
          serviceSid: demoServiceSid,
          logger: opts.logger,
          now,
        }),
      ]
    : [verify];

  // Unique indexes (one user per phone, one authy id, one uuid, one entity per identity) before the first request.
  const ready = ensureSandboxIndexes(models, verifyStore).catch((err: unknown) => {
    opts.logger.error({ err: (err as Error).message }, '[sandbox] could not create its indexes');
  });

  const router = Router();
  router.use(sandboxHostGuard(opts.allowedUrls ?? []));
  router.use(async (_req, _res, next) => {
    await ready;
    next();
  });
  router.use(SANDBOX_AUTHY_PATH.replace('/sandbox', ''), apiRoutes(service, { apiKey: opts.apiKey, logger: opts.logger }));
  router.use(
    SANDBOX_VERIFY_PATH.replace('/sandbox', ''),
    verifyApiRoutes(verifyServices, { authToken: opts.verify.authToken, logger: opts.logger }),
  );
  router.use(viewRoutes(service, verify, { publicDir: opts.publicDir, logger: opts.logger, findPeople: opts.findPeople }));
  return router;
}
