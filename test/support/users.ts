// Shared test people and the steps that get them to a given login stage.
import { CookieAccessInfo } from 'cookiejar';
import type { Express } from 'express';
import { authyScope, replies } from './authy-nock';
import { client, type Client } from './http';
import { identityIn, verifyPaths, verifyReplies, verifyScope, verifySids } from './verify-nock';

export const validPerson = (username: string, authyId = 1001) => ({
  body: { username, email: `${username}@example.com`, password: 'correct horse battery', country_code: '+1', phone_number: '415-555-2671' },
  authyId,
});

/** Registers through the API (Authy nock'ed) and returns the logged-in agent. */
export async function registeredAgent(app: Express, username: string, authyId = 1001) {
  const person = validPerson(username, authyId);
  authyScope().post('/protected/json/users/new').reply(200, replies.userCreated(authyId));
  const agent = client(app);
  await agent.post('/api/user/register').send(person.body).expect(200);
  return { agent, person };
}

/**
 * The session cookie an agent holds now (`asq.sid=…`), or undefined. A response carries the
 * cookie only when the session id changed, so "the cookie before" comes from the agent's jar.
 */
export function heldSessionCookie(agent: Client): string | undefined {
  const cookie = agent.agent.jar.getCookie('asq.sid', CookieAccessInfo.All);
  return cookie ? `asq.sid=${cookie.value}` : undefined;
}

/** The session cookie's value from a response, or undefined. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const c = cookies.find((x) => x.startsWith('asq.sid='));
  return c?.split(';')[0];
}

/** Registers through the API with Verify nock'ed; returns the agent and the user's Verify entity. */
export async function registeredVerifyAgent(app: Express, username: string, phone = '415-555-2671') {
  const factorSid = verifySids.factor(900);
  let identity = '';
  verifyScope()
    .post(verifyPaths.newFactor)
    .reply(201, (uri: string) => {
      identity = identityIn(uri);
      return verifyReplies.newFactor(identity, factorSid, username);
    });
  const agent = client(app);
  const body = { ...validPerson(username).body, phone_number: phone };
  await agent.post('/api/user/register').send(body).expect(200);
  return { agent, identity, factorSid };
}
