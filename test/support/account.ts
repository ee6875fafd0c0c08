// The account over the API (Authy nock'ed), as the SPA drives it: people past 2FA, more sessions
// of them, recovery codes, remembered browsers.
import type { Express } from 'express';
import { CookieAccessInfo } from 'cookiejar';
import { authyScope, replies } from './authy-nock';
import { client, type Client } from './http';
import { registeredAgent } from './users';

export const PASSWORD = 'correct horse battery';

/** Passes 2FA with a token (Authy nock'ed) in the agent's password-stage session. */
export async function passToken(agent: Client, authyId: number): Promise<void> {
  authyScope().get(`/protected/json/verify/1234567/${authyId}`).reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
}

/** Registered, then 2FA passed with a token just now (a fresh check). */
export async function signedIn(app: Express, username: string, authyId: number): Promise<Client> {
  const { agent } = await registeredAgent(app, username, authyId);
  await passToken(agent, authyId);
  return agent;
}

/** Another session (another browser) of a registered user: password, then a token. */
export async function anotherSession(app: Express, username: string, authyId: number): Promise<Client> {
  const agent = client(app);
  await agent.post('/api/login').send({ username, password: PASSWORD }).expect(200);
  await passToken(agent, authyId);
  return agent;
}

/** The first recovery codes, as /protected asks for them right after 2FA. */
export async function firstCodes(agent: Client): Promise<string[]> {
  const res = await agent.post('/api/account/recovery-codes/first').expect(200);
  return (res.body as { codes: string[] }).codes;
}

/** The value of a cookie the agent holds, if any. */
export const cookieOf = (agent: Client, name: string) => agent.agent.jar.getCookie(name, CookieAccessInfo.All)?.value;

/** The Set-Cookie line for `name` in a response, if any. */
export function setCookie(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const lines = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return lines.find((line) => line.startsWith(`${name}=`));
}

/** The remembered-browser cookie's name over http (PUBLIC_URL in the tests). */
export const REMEMBER_COOKIE = 'asq.rb';
