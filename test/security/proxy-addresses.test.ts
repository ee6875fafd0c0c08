// Behind a reverse proxy the client's address comes from X-Forwarded-For, which the client
// writes too. TRUST_PROXY=true (believe all of it) is refused; with the proxy's hop count or
// address, a client choosing a new X-Forwarded-For each try gains nothing: failed logins are
// also capped per username whatever the address, and an IPv6 client is one /64.
import { loadConfig } from '../../server/platform/config';
import { limitsFrom } from '../../server/platform/limits-config';
import { testConfig, useTestApp } from '../support/app';
import { post } from '../support/http';
import { registeredAgent } from '../support/users';

let clock = Date.now();
const t = useTestApp({ now: () => clock, config: testConfig({ limits: limitsFrom({}), trustProxy: 'loopback' }) });

const WINDOW_MS = 15 * 60 * 1000;
const login = (username: string, password: string, from: string) =>
  post(t.app, '/api/login').set('X-Forwarded-For', from).send({ username, password });

test('TRUST_PROXY=true is refused at start with one line naming it; hop counts and address lists are taken', () => {
  expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/^Invalid configuration: TRUST_PROXY [^\n]+$/);
  expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toBe('10.0.0.0/8, loopback');
});

test('a new X-Forwarded-For on every try: after 10 wrong passwords for one username, a 429 even for the right one', async () => {
  await registeredAgent(t.app, 'rotated', 8401);
  for (let i = 0; i < 10; i++) await login('rotated', `wrong-${i}-password`, `198.51.100.${i + 1}`).expect(401);
  const locked = await login('rotated', 'correct horse battery', '198.51.100.200').expect(429);
  expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  // Any spelling of the name is the same username.
  await login('ROTATED', 'correct horse battery', '198.51.100.201').expect(429);
  clock += WINDOW_MS + 1000;
  await login('rotated', 'correct horse battery', '198.51.100.202').expect(200);
});

test('the forwarded address is used (per username and address: 5), and an IPv6 client is keyed by its /64', async () => {
  await registeredAgent(t.app, 'six', 8402);
  for (let i = 1; i <= 5; i++) await login('six', `wrong-${i}-password`, `2001:db8:1:2::${i}`).expect(401);
  // Another address in the same /64 is the same client.
  await login('six', 'correct horse battery', '2001:db8:1:2:abcd::9').expect(429);
  // Another /64 is another client (the per-username cap of 10 is not reached).
  await login('six', 'correct horse battery', '2001:db8:1:3::1').expect(200);
});

test('IPv4 arriving IPv4-mapped is the same client as plain IPv4', async () => {
  clock += WINDOW_MS + 1000;
  await registeredAgent(t.app, 'mapped', 8403);
  for (let i = 1; i <= 5; i++) {
    await login('mapped', `wrong-${i}-password`, i % 2 ? '192.0.2.77' : '::ffff:192.0.2.77').expect(401);
  }
  await login('mapped', 'correct horse battery', '::ffff:192.0.2.77').expect(429);
  await login('mapped', 'correct horse battery', '192.0.2.77').expect(429);
});
