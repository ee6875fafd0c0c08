// @ts-check
// A person's first visit to a running app, over HTTP, as scripts/test-container.sh runs it against
// the image: waits for /readyz, registers, asks for an SMS code, reads it off the sandbox's phone,
// passes 2FA, reads /api/protected; then reads /metrics with the token. Exits 1 with a line saying
// which step failed. Usage: node scripts/container-smoke.mjs <base URL> <metrics token>
const [base, metricsToken] = process.argv.slice(2);
if (!base || !metricsToken) {
  console.error('usage: node scripts/container-smoke.mjs <base URL> <metrics token>');
  process.exit(2);
}

/** @type {Map<string, string>} */
const cookies = new Map();

/** One request with the cookies so far and, for a POST, the CSRF header the SPA would send. */
async function send(/** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body = undefined) {
  /** @type {Record<string, string>} */
  const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  if (method !== 'GET') headers['x-xsrf-token'] = decodeURIComponent(cookies.get('XSRF-TOKEN') ?? '');
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return res;
}

async function step(/** @type {string} */ what, /** @type {() => Promise<Response>} */ call, expected = 200) {
  const res = await call();
  const text = await res.text();
  if (res.status !== expected) {
    console.error(`container smoke: ${what}: expected ${expected}, got ${res.status} ${text.slice(0, 200)}`);
    process.exit(1);
  }
  console.log(`container smoke: ${what}: ${res.status}`);
  return text;
}

const deadline = Date.now() + 60_000;
for (;;) {
  const status = await fetch(`${base}/readyz`).then(
    (r) => r.status,
    () => 0,
  );
  if (status === 200) break;
  if (Date.now() > deadline) {
    console.error(`container smoke: /readyz did not answer 200 within 60 s (last: ${status || 'no connection'})`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}
console.log('container smoke: GET /readyz: 200');

const person = {
  username: 'container',
  email: 'container@example.com',
  password: 'container password',
  country_code: '+44',
  phone_number: '07400 123456',
};
await step('GET / (sets the CSRF cookie)', () => send('GET', '/'));
await step('POST /api/user/register', () => send('POST', '/api/user/register', person));
await step('POST /api/accountsecurity/sms', () => send('POST', '/api/accountsecurity/sms', {}));
const inbox = /** @type {{ to: string; channel: string; code: string }[]} */ (
  JSON.parse(await step('GET /sandbox/inbox.json', () => send('GET', '/sandbox/inbox.json')))
);
const sms = inbox.find((m) => m.channel === 'sms');
if (!sms) {
  console.error('container smoke: no SMS in the sandbox inbox');
  process.exit(1);
}
await step('POST /api/accountsecurity/verify (the SMS code)', () => send('POST', '/api/accountsecurity/verify', { token: sms.code }));
const content = await step('GET /api/protected', () => send('GET', '/api/protected'));
if (!content.includes(person.username)) {
  console.error('container smoke: /api/protected does not name the user');
  process.exit(1);
}

await step('GET /metrics without the token', () => fetch(`${base}/metrics`), 401);
const metrics = await step('GET /metrics with the token', () =>
  fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }),
);
for (const line of [
  'asq_codes_sent_total{channel="sms",provider="authy",country_code="44"} 1',
  'asq_second_factor_total{method="token",outcome="success"} 1',
]) {
  if (!metrics.includes(line)) {
    console.error(`container smoke: /metrics lacks ${line}`);
    process.exit(1);
  }
}
if (!/^process_cpu_seconds_total /m.test(metrics)) {
  console.error("container smoke: /metrics lacks the process's default metrics");
  process.exit(1);
}
console.log('container smoke: passed');
