import dotenv from 'dotenv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { LIMIT_VARIABLES } from '../../server/limits/limits';
import { REPO_ROOT } from '../../server/paths';

test('defaults: port 1337, sandbox mode on loopback, public URL from the port', () => {
  const c = loadConfig({});
  expect(c).toMatchObject({ port: 1337, host: '127.0.0.1', nodeEnv: 'development', publicUrl: 'http://localhost:1337', trustProxy: false });
  expect(c.authyApiKey).toBeUndefined();
  expect(c.authyApiUrl).toBe('https://api.authy.com');
});

test('with a real key the app listens on all interfaces unless HOST says otherwise', () => {
  expect(loadConfig({ ACCOUNT_SECURITY_API_KEY: 'k' }).host).toBe('0.0.0.0');
  expect(loadConfig({ ACCOUNT_SECURITY_API_KEY: 'k', HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
});

test('MONGO_CONNECTION is an alias of MONGODB_URI, which wins; no URI means the embedded database', () => {
  expect(loadConfig({}).mongodbUri).toBeUndefined();
  expect(loadConfig({ MONGODB_URI: '', MONGO_CONNECTION: '  ' }).mongodbUri).toBeUndefined();
  expect(loadConfig({ MONGO_CONNECTION: 'mongodb://a/x' }).mongodbUri).toBe('mongodb://a/x');
  expect(loadConfig({ MONGO_CONNECTION: 'mongodb://a/x', MONGODB_URI: 'mongodb://b/y' }).mongodbUri).toBe('mongodb://b/y');
});

test('MONGODB_URI accepts mongodb+srv:// and is trimmed', () => {
  expect(loadConfig({ MONGODB_URI: ' mongodb+srv://u:p@cluster0.example.net/app?retryWrites=true \n' }).mongodbUri).toBe(
    'mongodb+srv://u:p@cluster0.example.net/app?retryWrites=true',
  );
});

test('a bad MONGODB_URI is named without echoing its value (it may hold a password)', () => {
  expect(() => loadConfig({ MONGODB_URI: 'mysql://user:hunter2@host' })).toThrow(
    expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
  );
});

test('limits come from LIMIT_* as count/window, with the documented defaults', () => {
  const limits = loadConfig({ LIMIT_TOKEN_FAILURES: '3/1h' }).limits;
  expect(limits.tokenFailures).toEqual({ name: 'token-failures', max: 3, windowMs: 3_600_000 });
  expect(limits.loginFailuresPerIp).toEqual({ name: 'login-failures-ip', max: 100, windowMs: 86_400_000 });
  expect(() => loadConfig({ LIMIT_SENDS_PER_USER: 'five' })).toThrow(/^Invalid configuration: LIMIT_SENDS_PER_USER /);
  expect(() => loadConfig({ LIMIT_SENDS_PER_USER: '0/15m' })).toThrow(/LIMIT_SENDS_PER_USER/);
});

test('empty values count as unset', () => {
  expect(loadConfig({ PORT: '', SESSION_SECRET: '  ' })).toMatchObject({ port: 1337, sessionSecret: undefined });
});

test.each([
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ MONGODB_URI: 'http://db' }, 'MONGODB_URI'],
  [{ MONGODB_URI: 'postgres://localhost/db' }, 'MONGODB_URI'],
  [{ MONGODB_URI: 'mongodb://' }, 'MONGODB_URI'],
  [{ MONGO_CONNECTION: 'localhost:27017' }, 'MONGO_CONNECTION'],
  [{ MONGO_CONNECTION: 'http://mongodb://x' }, 'MONGO_CONNECTION'],
  [{ AUTHY_API_URL: 'api.authy.com' }, 'AUTHY_API_URL'],
  [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
  [{ PUBLIC_URL: 'example.com' }, 'PUBLIC_URL'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
  [{ AUTHY_SANDBOX_KEY: 'short' }, 'AUTHY_SANDBOX_KEY'],
  [{ SANDBOX_ALLOW_REMOTE: 'yes' }, 'SANDBOX_ALLOW_REMOTE'],
  [{ LIMIT_SENDS_GLOBAL: '1000' }, 'LIMIT_SENDS_GLOBAL'],
])('a bad value stops start-up with an error naming the variable: %j', (env, name) => {
  expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
});

test('production refuses the sandbox and a generated session secret', () => {
  expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) })).toThrow(/ACCOUNT_SECURITY_API_KEY/);
  expect(() => loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k' })).toThrow(/SESSION_SECRET/);
  expect(loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k', SESSION_SECRET: 'x'.repeat(32) }).nodeEnv).toBe('production');
});

test("PUBLIC_URL loses its trailing slash; TRUST_PROXY reads Express's hop counts and lists", () => {
  expect(loadConfig({ PUBLIC_URL: 'https://2fa.example.com/' }).publicUrl).toBe('https://2fa.example.com');
  expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  const list = 'loopback, linklocal, uniquelocal, 10.0.0.0/8, 192.0.2.7, 2001:db8::/32, 172.16.0.0/255.240.0.0';
  expect(loadConfig({ TRUST_PROXY: list }).trustProxy).toBe(list);
  expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/^Invalid configuration: TRUST_PROXY must not be true[^\n]*$/);
  for (const bad of ['yes', 'loopback, proxy.example.com', '10.0.0.0/33', '1.2.3']) {
    expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/^Invalid configuration: TRUST_PROXY /);
  }
});

test("a .env written for `source .env` (the original's `export VAR='...'` lines) reads as plain assignments", () => {
  const parsed = dotenv.parse("export ACCOUNT_SECURITY_API_KEY='ENTER_SECRET_HERE'\nexport PORT=1337\n");
  expect(parsed).toEqual({ ACCOUNT_SECURITY_API_KEY: 'ENTER_SECRET_HERE', PORT: '1337' });
  expect(loadConfig(parsed)).toMatchObject({ authyApiKey: 'ENTER_SECRET_HERE', port: 1337 });
});

test('every LIMIT_* variable is in .env.example with its default, and in the README table', () => {
  const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const defaults = loadConfig({}).limits;
  for (const [key, name] of Object.entries(LIMIT_VARIABLES)) {
    const line = new RegExp(`^${name}=(.+)$`, 'm').exec(example);
    expect([name, line && loadConfig({ [name]: line[1] }).limits[key as keyof typeof defaults]]).toEqual([
      name,
      defaults[key as keyof typeof defaults],
    ]);
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\``, 'm'));
  }
});
