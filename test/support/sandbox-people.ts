// People of a sandbox app (test/support/sandbox-app.ts) and the steps they take over the API,
// "the phone" read through the sandbox's JSON views: for the attacks that run the same on the
// Authy and the Verify sandbox.
import { generateSync } from 'otplib';
import request from 'supertest';
import { client, type Client } from './http';
import type { SandboxApp } from './sandbox-app';

export const PASSWORD = 'correct horse battery';

export interface Person {
  username: string;
  /** As typed in the form (country code 1). */
  phone: string;
}

let seq = 0;
/** A new person with a number of their own (`base` keeps files apart). */
export function newPerson(prefix: string, base: number): Person {
  const n = base + ++seq;
  return { username: `${prefix}${n}`, phone: `415-555-${n}` };
}

const json = async <T>(app: SandboxApp, path: string): Promise<T> => (await request(app.baseUrl).get(path).expect(200)).body as T;

/** Registers `p`: the agent holds the login that registered (2FA pending). */
export async function register(app: SandboxApp, p: Person): Promise<Client> {
  const agent = client(app.baseUrl);
  await agent
    .post('/api/user/register')
    .send({ username: p.username, email: `${p.username}@example.com`, password: PASSWORD, country_code: '+1', phone_number: p.phone })
    .expect(200);
  return agent;
}

/** A login with the password alone (2FA pending). */
export async function logIn(app: SandboxApp, p: Person): Promise<Client> {
  const agent = client(app.baseUrl);
  await agent.post('/api/login').send({ username: p.username, password: PASSWORD }).expect(200);
  return agent;
}

/** The newest code the phone received by SMS. */
export async function lastSms(app: SandboxApp, p: Person): Promise<string> {
  const inbox = await json<{ to: string; channel: string; purpose: string; code: string }[]>(app, '/sandbox/inbox.json');
  const m = inbox.find((x) => x.to.endsWith(p.phone.slice(-4)) && x.channel === 'sms' && x.purpose !== 'verification');
  if (!m) throw new Error(`no SMS code for …${p.phone.slice(-4)}`);
  return m.code;
}

/** Passes 2FA in `agent`'s session with a code sent by SMS. */
export async function passBySms(app: SandboxApp, agent: Client, p: Person): Promise<void> {
  await agent.post('/api/accountsecurity/sms').expect(200);
  await agent
    .post('/api/accountsecurity/verify')
    .send({ token: await lastSms(app, p) })
    .expect(200);
}

/** The id "the phone" knows the person by: the Verify identity, or the Authy id. */
export async function phoneIdOf(app: SandboxApp, p: Person): Promise<string> {
  const user = await app.db.connection.collection('users').findOne({ username: p.username });
  const id: unknown = app.provider === 'verify' ? (user?.verify as { identity?: unknown } | undefined)?.identity : user?.authyId;
  if (typeof id !== 'string') throw new Error(`no ${app.provider} record for ${p.username}`);
  return id;
}

/** The soft token's code at `atMs` (the app's clock), `stepsAhead` steps on: each step is accepted once. */
export async function softTokenCode(app: SandboxApp, p: Person, atMs: number, stepsAhead = 0): Promise<string> {
  const { secret } = await json<{ secret: string }>(app, `/sandbox/users/${await phoneIdOf(app, p)}/totp.json`);
  return generateSync({ secret, epoch: Math.floor(atMs / 1000) + stepsAhead * 30, period: 30, digits: 6, algorithm: 'sha1' });
}

/** The push requests "the phone" holds, newest first. */
export const pushRequests = (app: SandboxApp) =>
  json<{ uuid: string; message: string; status: string; authy_id?: string; identity?: string }[]>(app, '/sandbox/approvals.json');
