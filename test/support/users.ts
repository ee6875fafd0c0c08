// Shared test people and the steps that get them to a given login stage.
import type { Express } from 'express';
import { authyScope, replies } from './authy-nock';
import { client } from './http';

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

/** The session cookie's value from a response, or undefined. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const c = cookies.find((x) => x.startsWith('asq.sid='));
  return c?.split(';')[0];
}
