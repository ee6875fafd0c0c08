// The 2FA API behind the app, four ways, for tests that tell one story against each: Authy or
// Twilio Verify, faked with nock at its real URL or played by the embedded sandbox over HTTP.
// A story asks its upstream to expect a call (nock) and to say what "the phone" received.
import type { Express } from 'express';
import { generateSync } from 'otplib';
import request from 'supertest';
import { userModel } from '../../server/auth/user.model';
import { PUSH_TTL_SECONDS } from '../../server/twofa/push-request';
import { createTestApp, verifyTestProvider, type TestApp } from './app';
import { authyScope, replies } from './authy-nock';
import type { TestDatabase } from './db';
import { startSandboxApp, type SandboxApp } from './sandbox-app';
import { identityIn, verifyPaths, verifyReplies, verifyScope, verifySids } from './verify-nock';

export interface Person {
  username: string;
  /** E.164, e.g. +14155552671. */
  e164: string;
  /** As typed in the form, with country code 1. */
  phone: string;
}

export interface Upstream {
  readonly name: string;
  /** True for Verify: /2fa shows the soft token's QR code until its first code. */
  readonly enrolsSoftToken: boolean;
  /** True for the sandbox: the phone's answer reaches the app as a signed callback (with nock, the poll asks). */
  readonly callsBack: boolean;
  readonly app: Express | string;
  readonly db: TestDatabase;
  start(): Promise<void>;
  stop(): Promise<void>;
  beforeRegister(p: Person): void;
  beforeSend(p: Person, channel: 'sms' | 'call'): void;
  beforeVerificationStart(p: Person, via: 'sms' | 'call'): void;
  /** `p` proved `next`'s number on the account page: with Authy, the new number is a new Authy user. */
  beforeNewNumber(p: Person, next: Person): void;
  /** The code the phone received (and, with nock, its check answered as right). */
  codeSent(p: Person, channel: 'sms' | 'call', purpose: '2fa' | 'verification'): Promise<string>;
  /** The soft token's current code (with nock, its check answered as right). `again` for a later login. */
  softToken(p: Person, again: boolean): Promise<string>;
  beforePush(p: Person): void;
  /** The push request is still waiting. */
  pushPending(p: Person, id: string): void;
  /** The phone approves it. */
  approvePush(p: Person, id: string): Promise<void>;
}

const storedUser = async (db: TestDatabase, username: string) => (await userModel(db.connection).findOne({ username }).lean())!;

/** Authy faked with nock at its real paths. */
export function authyNock(): Upstream {
  let t: TestApp | undefined;
  const ids = new Map<string, number>();
  let nextId = 7000;
  const idOf = (p: Person) => ids.get(p.username)!;
  return {
    name: 'Authy (nock)',
    enrolsSoftToken: false,
    callsBack: false,
    get app() {
      return t!.app;
    },
    get db() {
      return t!.db;
    },
    async start() {
      t = await createTestApp();
    },
    stop: () => t!.close(),
    beforeRegister(p) {
      ids.set(p.username, ++nextId);
      authyScope()
        .post('/protected/json/users/new', { user: { cellphone: p.e164.slice(2), country_code: 1, email: `${p.username}@example.com` } })
        .reply(200, replies.userCreated(idOf(p)));
    },
    beforeSend(p, channel) {
      authyScope()
        .get(`/protected/json/${channel}/${idOf(p)}`)
        .query({ force: true })
        .reply(200, { ...(channel === 'sms' ? replies.smsSent : replies.callStarted), cellphone: `+1-XXX-XXX-${p.e164.slice(-4)}` });
    },
    beforeVerificationStart(p, via) {
      authyScope()
        .post('/protected/json/phones/verification/start', { via, phone_number: p.e164.slice(2), country_code: '1', code_length: 4 })
        .reply(200, replies.verificationStarted);
    },
    beforeNewNumber(p, next) {
      ids.set(p.username, ++nextId);
      authyScope()
        .post('/protected/json/users/new', { user: { cellphone: next.e164.slice(2), country_code: 1, email: `${p.username}@example.com` } })
        .reply(200, replies.userCreated(idOf(p)));
    },
    codeSent(p, _channel, purpose) {
      if (purpose === 'verification') {
        authyScope()
          .get('/protected/json/phones/verification/check')
          .query({ phone_number: p.e164.slice(2), country_code: '1', verification_code: '4321' })
          .reply(200, replies.verificationCorrect);
        return Promise.resolve('4321');
      }
      authyScope()
        .get(`/protected/json/verify/1234567/${idOf(p)}`)
        .reply(200, replies.tokenValid);
      return Promise.resolve('1234567');
    },
    softToken(p) {
      authyScope()
        .get(`/protected/json/verify/7654321/${idOf(p)}`)
        .reply(200, replies.tokenValid);
      return Promise.resolve('7654321');
    },
    beforePush(p) {
      authyScope()
        .post(
          `/onetouch/json/users/${idOf(p)}/approval_requests`,
          (b) =>
            String(b.message).startsWith('Login requested from ') &&
            b.seconds_to_expire === PUSH_TTL_SECONDS &&
            b.details['Authy ID'] === String(idOf(p)) &&
            b.details.Username === p.username &&
            b.details.Network === '127.0.0.0/24' &&
            b.hidden_details.test === 'This is a',
        )
        .reply(200, replies.approvalCreated(`aaaaaaaa-0000-4000-8000-${String(idOf(p)).padStart(12, '0')}`));
    },
    pushPending(_p, id) {
      authyScope().get(`/onetouch/json/approval_requests/${id}`).reply(200, replies.approvalStatus(id, 'pending'));
    },
    approvePush(_p, id) {
      authyScope().get(`/onetouch/json/approval_requests/${id}`).reply(200, replies.approvalStatus(id, 'approved'));
      return Promise.resolve();
    },
  };
}

/** Twilio Verify faked with nock at https://verify.twilio.com, reached through the `twilio` library. */
export function verifyNock(): Upstream {
  let t: TestApp | undefined;
  const entities = new Map<string, string>();
  let nextFactor = 100;
  return {
    name: 'Verify (nock)',
    enrolsSoftToken: true,
    callsBack: false,
    get app() {
      return t!.app;
    },
    get db() {
      return t!.db;
    },
    async start() {
      t = await createTestApp({ provider: verifyTestProvider() });
    },
    stop: () => t!.close(),
    beforeRegister(p) {
      const factorSid = verifySids.factor(++nextFactor);
      // The factor's name is the site's host: authenticator apps show it, so nothing of the person's.
      verifyScope()
        .post(verifyPaths.newFactor, { FriendlyName: 'localhost', FactorType: 'totp' })
        .reply(201, (uri: string) => {
          entities.set(p.username, identityIn(uri));
          return verifyReplies.newFactor(identityIn(uri), factorSid, p.username);
        });
    },
    beforeSend(p, channel) {
      verifyScope()
        .post(verifyPaths.verifications, { To: p.e164, Channel: channel })
        .reply(201, verifyReplies.verification(p.e164, channel));
    },
    beforeVerificationStart(p, via) {
      verifyScope().post(verifyPaths.verifications, { To: p.e164, Channel: via }).reply(201, verifyReplies.verification(p.e164, via));
    },
    // Verify sends codes to the stored number: nothing changes upstream.
    beforeNewNumber: () => undefined,
    codeSent(p) {
      // Checked against the Verification this session's send created, never by number.
      verifyScope()
        .post(verifyPaths.check, { VerificationSid: verifySids.verification(1), Code: '135790' })
        .reply(200, verifyReplies.check(p.e164, 'approved'));
      return Promise.resolve('135790');
    },
    async softToken(p, again) {
      const user = await storedUser(t!.db, p.username);
      // No code was sent in these sessions: nothing is checked but the soft token.
      const { identity, totpFactorSid } = user.verify!;
      if (again) {
        verifyScope()
          .post(verifyPaths.challenges(identity), { FactorSid: totpFactorSid, AuthPayload: '246802' })
          .reply(201, verifyReplies.challenge(identity, verifySids.challenge(1), 'approved', 'totp'));
      } else {
        // Waiting for its first code: the factor is read first, then verified by the code.
        verifyScope()
          .get(verifyPaths.factor(identity, totpFactorSid))
          .reply(200, verifyReplies.factor(identity, totpFactorSid, 'unverified'));
        verifyScope()
          .post(verifyPaths.factor(identity, totpFactorSid), { AuthPayload: '246802' })
          .reply(200, verifyReplies.factor(identity, totpFactorSid, 'verified'));
      }
      return '246802';
    },
    beforePush(p) {
      const identity = entities.get(p.username)!;
      verifyScope()
        .get(verifyPaths.factors(identity))
        .query(true)
        .reply(200, verifyReplies.factorsPage(identity, [verifyReplies.factor(identity, verifySids.factor(2), 'verified', 'push')]));
      verifyScope()
        .post(verifyPaths.challenges(identity), (b: Record<string, unknown>) => {
          // Details.Fields: one JSON object per field, in order; the challenge lives as long as the SPA waits.
          const fields = ([] as unknown[]).concat(b['Details.Fields']).map((f) => JSON.parse(String(f)) as { label: string });
          const ttl = Date.parse(String(b.ExpirationDate)) - Date.now();
          return (
            b.FactorSid === verifySids.factor(2) &&
            String(b['Details.Message']).startsWith('Login requested from ') &&
            fields.map((f) => f.label).join() === 'Username,Request,Browser,Network' &&
            b.HiddenDetails === JSON.stringify({ test: 'This is a' }) &&
            ttl > (PUSH_TTL_SECONDS - 10) * 1000 &&
            ttl <= PUSH_TTL_SECONDS * 1000
          );
        })
        .reply(201, verifyReplies.challenge(identity, verifySids.challenge(7), 'pending'));
    },
    pushPending(p, id) {
      const identity = entities.get(p.username)!;
      verifyScope()
        .get(verifyPaths.challenge(identity, id))
        .reply(200, verifyReplies.challenge(identity, id, 'pending'));
    },
    approvePush(p, id) {
      const identity = entities.get(p.username)!;
      verifyScope()
        .get(verifyPaths.challenge(identity, id))
        .reply(200, verifyReplies.challenge(identity, id, 'approved'));
      return Promise.resolve();
    },
  };
}

/** The embedded sandbox of `provider`, reached by the app's own client over HTTP; "the phone" is its JSON view. */
export function sandbox(provider: 'authy' | 'verify'): Upstream {
  let s: SandboxApp | undefined;
  const json = async <T>(path: string): Promise<T> => (await request(s!.baseUrl).get(path).expect(200)).body as T;
  return {
    name: `${provider === 'authy' ? 'Authy' : 'Verify'} (sandbox)`,
    enrolsSoftToken: provider === 'verify',
    callsBack: true,
    get app() {
      return s!.baseUrl;
    },
    get db() {
      return s!.db;
    },
    async start() {
      s = await startSandboxApp({ provider });
    },
    stop: () => s!.close(),
    beforeRegister: () => undefined,
    beforeSend: () => undefined,
    beforeVerificationStart: () => undefined,
    beforeNewNumber: () => undefined,
    async codeSent(p, channel, purpose) {
      const inbox = await json<{ to: string; channel: string; purpose: string; code: string }[]>('/sandbox/inbox.json');
      const wanted = provider === 'verify' ? 'verify' : purpose;
      const m = inbox.find((x) => x.to.endsWith(p.e164.slice(-4)) && x.channel === channel && x.purpose === wanted);
      if (!m) throw new Error(`no ${channel} code for …${p.e164.slice(-4)} in the sandbox inbox`);
      return m.code;
    },
    async softToken(p, again) {
      const user = await storedUser(s!.db, p.username);
      const id = provider === 'verify' ? user.verify!.identity : user.authyId!;
      const { secret } = await json<{ secret: string }>(`/sandbox/users/${id}/totp.json`);
      // A later login uses the next time step: each step is accepted once.
      return generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + (again ? 30 : 0), period: 30, digits: 6, algorithm: 'sha1' });
    },
    beforePush: () => undefined,
    pushPending: () => undefined,
    async approvePush(_p, id) {
      await request(s!.baseUrl).post(`/sandbox/approvals/${id}/approve`).expect(200);
    },
  };
}

export const UPSTREAMS = [authyNock, verifyNock, () => sandbox('authy'), () => sandbox('verify')];
