// supertest with CSRF handled as the SPA does: the XSRF-TOKEN cookie is sent back in the
// X-XSRF-TOKEN header on every state-changing request. A visitor without a cookie yet gets a
// valid pre-session token minted with the test secret (as the server would on a first GET).
import request from 'supertest';
import type { Express } from 'express';
import { CookieAccessInfo } from 'cookiejar';
import { anonymousToken, CSRF_COOKIE } from '../../server/http/csrf';
import { TEST_SESSION_SECRET } from './app';

export type Client = ReturnType<typeof client>;

/** Every POST that changes state and so needs the CSRF token (whichever 2FA provider is in use). */
export const STATE_CHANGING_POSTS = [
  '/api/user/register',
  '/api/login',
  '/api/logout',
  '/api/accountsecurity/sms',
  '/api/accountsecurity/voice',
  '/api/accountsecurity/verify',
  '/api/accountsecurity/softtoken',
  '/api/accountsecurity/onetouch',
  '/api/accountsecurity/onetouchstatus',
  '/api/verification/start',
  '/api/verification/verify',
  '/api/passkeys/registration/options',
  '/api/passkeys/registration',
  '/api/passkeys/authentication/options',
  '/api/passkeys/authentication',
  '/api/passkeys/sign-in/options',
  '/api/passkeys/sign-in',
  '/api/account/password',
  '/api/account/phone/start',
  '/api/account/phone/verify',
  '/api/account/authenticator/reset',
  '/api/account/recovery-codes/first',
  '/api/account/recovery-codes',
  '/api/account/recovery-codes/use',
  '/api/account/browsers',
  '/api/account/sessions/end-others',
  '/api/password/forgot',
  '/api/password/reset',
];

/** An agent that keeps cookies (like a browser tab) and carries the CSRF token. */
export function client(app: Express | string) {
  const agent = request.agent(app);
  const token = () => {
    const cookie = agent.jar.getCookie(CSRF_COOKIE, CookieAccessInfo.All);
    if (cookie) return cookie.value;
    const minted = anonymousToken(TEST_SESSION_SECRET);
    agent.jar.setCookie(`${CSRF_COOKIE}=${minted}; Path=/`, '127.0.0.1', '/');
    return minted;
  };
  return {
    agent,
    get: (url: string) => agent.get(url),
    // The token first: the agent attaches its cookies when the request is created.
    post: (url: string) => {
      const csrf = token();
      return agent.post(url).set('X-XSRF-TOKEN', csrf);
    },
    patch: (url: string) => {
      const csrf = token();
      return agent.patch(url).set('X-XSRF-TOKEN', csrf);
    },
    delete: (url: string) => {
      const csrf = token();
      return agent.delete(url).set('X-XSRF-TOKEN', csrf);
    },
  };
}

/** A one-off request from a fresh visitor, CSRF token included. */
export const post = (app: Express | string, url: string) => client(app).post(url);
export const get = (app: Express | string, url: string) => request(app).get(url);

/** The same body posted `times` times at once by one client (one session): the statuses, in order sent. */
export function postAtOnce(c: Client, url: string, body: object, times: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: times }, () =>
      c
        .post(url)
        .send(body)
        .then((r) => r.status),
    ),
  );
}
