// The sandbox shows every code and TOTP secret. A page on another site can rebind its DNS name
// to 127.0.0.1 and read it (Host: attacker.example): every /sandbox route answers only to a
// loopback name or PUBLIC_URL's host. And it cannot be exposed by accident: a non-loopback HOST
// in sandbox mode, or a key that is set but blank, stops the start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import request from 'supertest';
import { loadConfig } from '../../server/platform/config';
import { REPO_ROOT } from '../../server/platform/paths';
import { client } from '../support/http';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app';

let s: SandboxApp;
let port: string;
beforeAll(async () => {
  s = await startSandboxApp({ publicUrl: 'https://phone.example.test' });
  port = new URL(s.baseUrl).port;
  // Someone with a soft token, so there are secrets to steal.
  await client(s.baseUrl)
    .post('/api/user/register')
    .send({
      username: 'victim',
      email: 'victim@example.com',
      password: 'correct horse battery',
      country_code: '1',
      phone_number: '415-555-2699',
    })
    .expect(200);
});
afterAll(() => s.close());

const ROUTES: [method: 'get' | 'post', path: string][] = [
  ['get', '/sandbox'],
  ['get', '/sandbox/users.json'],
  ['get', '/sandbox/inbox.json'],
  ['get', '/sandbox/approvals.json'],
  ['get', '/sandbox/users/1/totp.json'],
  ['post', '/sandbox/approvals/0b3b2c1e-0000-4000-8000-000000000000/approve'],
  ['post', '/sandbox/approvals/0b3b2c1e-0000-4000-8000-000000000000/deny'],
  ['get', '/sandbox/api/protected/json/sms/1'],
  ['post', '/sandbox/api/protected/json/phones/verification/start'],
];

test.each(ROUTES)('%s %s with Host: attacker.example (DNS rebinding) is a 421 that shows nothing', async (method, route) => {
  for (const host of ['attacker.example', `attacker.example:${port}`, 'localhost.attacker.example', '127.0.0.1.nip.io']) {
    const res = await request(s.baseUrl)[method](route).set('Host', host).set('Origin', `http://${host}`).send({});
    expect(res.status).toBe(421);
    expect(res.text).not.toMatch(/secret|otpauth|totp|code/i);
  }
});

test("a loopback name, with any port and in any case, or PUBLIC_URL's host, is answered", async () => {
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', 'localhost', 'phone.example.test']) {
    const res = await request(s.baseUrl).get('/sandbox/users.json').set('Host', host).expect(200);
    expect(res.body).toHaveLength(1);
  }
});

test('sandbox mode with a HOST other than loopback refuses to start, naming HOST, unless SANDBOX_ALLOW_REMOTE=true', () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.20', 'myhost.local']) {
    expect(() => loadConfig({ HOST: host })).toThrow(/^Invalid configuration: HOST [^\n]+SANDBOX_ALLOW_REMOTE=true/);
    expect(loadConfig({ HOST: host, SANDBOX_ALLOW_REMOTE: 'true' }).host).toBe(host);
  }
  for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(loadConfig({ HOST: host }).host).toBe(host);
  // With a real key there is no sandbox to expose.
  expect(loadConfig({ HOST: '0.0.0.0', ACCOUNT_SECURITY_API_KEY: 'k' }).host).toBe('0.0.0.0');
});

test('an ACCOUNT_SECURITY_API_KEY that is set but blank refuses to start, naming it; .env.example as .env is sandbox mode', () => {
  for (const blank of ['', '  ', '\t']) {
    expect(() => loadConfig({ ACCOUNT_SECURITY_API_KEY: blank })).toThrow(/^Invalid configuration: ACCOUNT_SECURITY_API_KEY /);
  }
  const example = parse(readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8'));
  const config = loadConfig(example);
  expect(config.authyApiKey).toBeUndefined();
  expect(config.host).toBe('127.0.0.1');
});
