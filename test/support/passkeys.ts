// Passkey ceremonies over the API, as the SPA runs them, with the software authenticator in
// place of the browser's.
import type { Express } from 'express';
import type { PasskeySummary } from '../../common/passkey-info';
import { PUBLIC_URL } from './app';
import { authyScope, replies } from './authy-nock';
import { client, type Client } from './http';
import { SoftAuthenticator, type SoftAuthenticatorOptions } from './soft-authenticator';
import { registeredAgent } from './users';

/** An authenticator in a browser at PUBLIC_URL (RP ID localhost). */
export const authenticator = (opts: Partial<SoftAuthenticatorOptions> = {}) => new SoftAuthenticator({ origin: PUBLIC_URL, ...opts });

type CreationOptions = Parameters<SoftAuthenticator['create']>[0] & { excludeCredentials?: unknown[] };
type RequestOptions = Parameters<SoftAuthenticator['get']>[0] & { userVerification?: string };

/** Registered, and 2FA passed with a token just now (so adding a passkey needs no new check). */
export async function twoFactorAgent(app: Express, username: string, authyId: number): Promise<Client> {
  const { agent } = await registeredAgent(app, username, authyId);
  authyScope().get(`/protected/json/verify/1234567/${authyId}`).reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
  return agent;
}

export async function registrationOptions(agent: Client): Promise<CreationOptions> {
  return (await agent.post('/api/passkeys/registration/options').expect(200)).body as CreationOptions;
}

/** Adds a passkey on `auth` to the agent's account. */
export async function enrol(agent: Client, auth: SoftAuthenticator): Promise<PasskeySummary> {
  const options = await registrationOptions(agent);
  const res = await agent.post('/api/passkeys/registration').send(auth.create(options)).expect(200);
  return (res.body as { passkey: PasskeySummary }).passkey;
}

export async function secondFactorOptions(agent: Client): Promise<RequestOptions> {
  return (await agent.post('/api/passkeys/authentication/options').expect(200)).body as RequestOptions;
}

export async function signInOptions(agent: Client): Promise<RequestOptions> {
  return (await agent.post('/api/passkeys/sign-in/options').expect(200)).body as RequestOptions;
}

/** A fresh visitor signs in with `auth`'s passkey alone; returns the agent and the answer. */
export async function signIn(app: Express, auth: SoftAuthenticator) {
  const agent = client(app);
  const options = await signInOptions(agent);
  const res = await agent.post('/api/passkeys/sign-in').send(auth.get(options));
  return { agent, res };
}

/** The agent logs in with the password (2FA pending). */
export async function passwordLogin(app: Express, username: string): Promise<Client> {
  const agent = client(app);
  await agent.post('/api/login').send({ username, password: 'correct horse battery' }).expect(200);
  return agent;
}

/** Another session of a registered user: password, then a token. */
export async function tokenLogin(app: Express, username: string, authyId: number): Promise<Client> {
  const agent = await passwordLogin(app, username);
  authyScope().get(`/protected/json/verify/1234567/${authyId}`).reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
  return agent;
}
