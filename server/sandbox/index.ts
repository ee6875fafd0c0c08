// The sandbox: embedded copies of the Authy API and of Twilio Verify v2 for when no credentials
// are set (docs/architecture.md, "The sandbox"). The app mounts the router at /sandbox; Authy
// lives at /sandbox/api, Verify at /sandbox/verify (both at all times: TWOFA_PROVIDER picks the
// one the app talks to), and "the phone" is the page at /sandbox. The two halves (authy/,
// verify/) share one clock, one claims collection, one inbox and one store of push requests
// (shared/), and neither imports the other. The mailbox (shared/mailbox.ts) is the app's mailer
// when no SMTP_URL is set: the page shows what it holds.
import { Router } from 'express';
import type mongoose from 'mongoose';
import { claimsExpiry, claimsModel } from '../db/claim';
import type { ExpirySpec } from '../db/expiry';
import type { TwilioVerifyCredentials } from '../platform/config';
import type { Logger } from '../platform/logger';
import { authyApiRoutes } from './authy/api';
import { authyModels } from './authy/models';
import { AuthySandbox } from './authy/service';
import { sandboxContext } from './shared/context';
import { sandboxHostGuard } from './shared/host-guard';
import { Inbox, INBOX_EXPIRY } from './shared/inbox';
import type { Mailbox } from './shared/mailbox';
import { MAILBOX_EXPIRY } from './shared/mailbox';
import type { FindPeople } from './shared/people';
import { phonePageRoutes } from './shared/phone-page';
import { PUSH_EXPIRY, PushRequests } from './shared/push-requests';
import { verifyApiRoutes } from './verify/api';
import { VERIFY_EXPIRING_COLLECTIONS, verifyModels } from './verify/models';
import { VerifySandbox } from './verify/service';

export { sandboxTwilioAccount } from './verify/credentials';
export { Mailbox } from './shared/mailbox';

/** Where the app finds each API (below its own URL). */
export const SANDBOX_AUTHY_PATH = '/sandbox/api';
export const SANDBOX_VERIFY_PATH = '/sandbox/verify';

const CLAIMS_COLLECTION = 'sandbox_claims';
/** What earlier versions kept apart (codes and push requests live minutes, a day at most): dropped at start. */
const RETIRED_COLLECTIONS = ['sandbox_approvals', 'sandbox_verifications', 'sandbox_verify_messages'];

export interface SandboxOptions {
  /** The app's connection: models are created on it, never on global mongoose. */
  connection: mongoose.Connection;
  /** The sandbox API key: requests without X-Authy-API-Key equal to it get Authy's 401. */
  apiKey: string;
  /** Absolute URL of the app's Authy push callback (POST, signed with the API key). */
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
  /** The app's mail "sent" (a password reset link), shown in the page's Mail section. */
  mailbox?: Mailbox;
}

export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [
  INBOX_EXPIRY,
  MAILBOX_EXPIRY,
  PUSH_EXPIRY,
  claimsExpiry(CLAIMS_COLLECTION),
  ...VERIFY_EXPIRING_COLLECTIONS,
];

export function createSandbox(opts: SandboxOptions): Router {
  const { connection, logger } = opts;
  const ctx = sandboxContext({ claims: claimsModel(connection, CLAIMS_COLLECTION), logger, now: opts.now ?? (() => new Date()) });
  const inbox = new Inbox(connection, ctx);
  const pushRequests = new PushRequests(connection, ctx);

  const authy = new AuthySandbox({
    ctx,
    models: authyModels(connection),
    inbox,
    pushRequests,
    apiKey: opts.apiKey,
    callbackUrl: opts.callbackUrl,
  });
  const verifyStore = verifyModels(connection);
  const verifyService = (serviceSid: string) =>
    new VerifySandbox({
      ctx,
      models: verifyStore,
      inbox,
      pushRequests,
      accountSid: opts.verify.accountSid,
      serviceSid,
      webhook: { url: opts.verify.webhookUrl, authToken: opts.verify.authToken },
    });
  const verify = verifyService(opts.verify.serviceSid);
  // The phone verification demo's own Service: its Verifications never meet the 2FA codes.
  const demoServiceSid = opts.verify.demoServiceSid;
  const verifyServices = demoServiceSid ? [verify, verifyService(demoServiceSid)] : [verify];

  // An answer on the phone goes back to the app the way its API does it.
  pushRequests.answersGoBy('authy', (request) => authy.sendCallback(request));
  pushRequests.answersGoBy('verify', (request) => verify.sendWebhook(request));

  // The indexes the sandbox's models declare (one user per phone, one id per push request, one
  // entity per identity…), before the first request. Every sandbox collection is named sandbox_….
  const models = Object.values(connection.models).filter((model) => model.collection.collectionName.startsWith('sandbox_'));
  const retire = RETIRED_COLLECTIONS.map((name) => connection.dropCollection(name).catch(() => {}));
  const ready = Promise.all([...models.map((model) => model.createIndexes()), ...retire]).catch((err: unknown) => {
    logger.error({ err: (err as Error).message }, '[sandbox] could not create its indexes');
  });

  const router = Router();
  router.use(sandboxHostGuard(opts.allowedUrls ?? []));
  router.use(async (_req, _res, next) => {
    await ready;
    next();
  });
  router.use(SANDBOX_AUTHY_PATH.replace('/sandbox', ''), authyApiRoutes(authy, { apiKey: opts.apiKey, logger }));
  router.use(SANDBOX_VERIFY_PATH.replace('/sandbox', ''), verifyApiRoutes(verifyServices, { authToken: opts.verify.authToken, logger }));
  router.use(
    phonePageRoutes({
      halves: [authy, verify],
      inbox,
      mailbox: opts.mailbox,
      pushRequests,
      now: ctx.now,
      publicDir: opts.publicDir,
      logger,
      findPeople: opts.findPeople,
    }),
  );
  return router;
}
