import dotenv from 'dotenv';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { hashConcurrency, loadConfig } from '../../server/platform/config';
import { LIMIT_VARIABLES } from '../../server/platform/limits-config';
import { REPO_ROOT } from '../../server/platform/paths';

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
  expect(limits.tokenFailures).toEqual({ name: 'token-failures', max: 3, windowMs: 3_600_000, refusal: 'Too many wrong codes' });
  expect(limits.loginFailuresPerIp).toMatchObject({ name: 'login-failures-ip', max: 100, windowMs: 86_400_000 });
  expect(() => loadConfig({ LIMIT_SENDS_PER_USER: 'five' })).toThrow(/^Invalid configuration: LIMIT_SENDS_PER_USER /);
  expect(() => loadConfig({ LIMIT_SENDS_PER_USER: '0/15m' })).toThrow(/LIMIT_SENDS_PER_USER/);
});

test('WEB_CONCURRENCY: 1 worker by default, a number, or auto (one per core); DB_CONNECT_TIMEOUT in seconds, 30 by default', () => {
  expect(loadConfig({})).toMatchObject({ webConcurrency: 1, dbConnectTimeoutMs: 30_000 });
  expect(loadConfig({ WEB_CONCURRENCY: '4', DB_CONNECT_TIMEOUT: '2.5' })).toMatchObject({ webConcurrency: 4, dbConnectTimeoutMs: 2500 });
  expect(loadConfig({ WEB_CONCURRENCY: 'auto' }).webConcurrency).toBe(availableParallelism());
});

test('REMEMBER_BROWSER_DAYS: 30 by default, 0 turns remembering off', () => {
  expect(loadConfig({}).rememberBrowserDays).toBe(30);
  expect(loadConfig({ REMEMBER_BROWSER_DAYS: '0' }).rememberBrowserDays).toBe(0);
  expect(loadConfig({ REMEMBER_BROWSER_DAYS: '7' }).rememberBrowserDays).toBe(7);
});

test('the cores are shared among the workers: each runs cores ÷ workers password hashes at once, at least 1', () => {
  expect(hashConcurrency(8, 1)).toBe(8);
  expect(hashConcurrency(8, 3)).toBe(2);
  expect(hashConcurrency(8, 8)).toBe(1);
  expect(hashConcurrency(2, 4)).toBe(1);
  // WEB_CONCURRENCY=auto: one worker per core, one hash each (not cores × cores at once).
  expect(loadConfig({ WEB_CONCURRENCY: 'auto' }).hashConcurrency).toBe(1);
  expect(loadConfig({}).hashConcurrency).toBe(availableParallelism());
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
  [{ WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY'],
  [{ WEB_CONCURRENCY: 'many' }, 'WEB_CONCURRENCY'],
  [{ WEB_CONCURRENCY: '2.5' }, 'WEB_CONCURRENCY'],
  [{ DB_CONNECT_TIMEOUT: '0' }, 'DB_CONNECT_TIMEOUT'],
  [{ DB_CONNECT_TIMEOUT: 'soon' }, 'DB_CONNECT_TIMEOUT'],
  [{ SANDBOX_ALLOW_REMOTE: 'yes' }, 'SANDBOX_ALLOW_REMOTE'],
  [{ REMEMBER_BROWSER_DAYS: '-1' }, 'REMEMBER_BROWSER_DAYS'],
  [{ REMEMBER_BROWSER_DAYS: '1.5' }, 'REMEMBER_BROWSER_DAYS'],
  [{ REMEMBER_BROWSER_DAYS: 'always' }, 'REMEMBER_BROWSER_DAYS'],
  [{ LIMIT_SENDS_GLOBAL: '1000' }, 'LIMIT_SENDS_GLOBAL'],
])('a bad value stops start-up with an error naming the variable: %j', (env, name) => {
  expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
});

test('production refuses the sandbox, the embedded database and a generated session secret, naming all that is missing', () => {
  const secret = { SESSION_SECRET: 'x'.repeat(32) };
  const db = { MONGODB_URI: 'mongodb://db:27017/app' };
  expect(() => loadConfig({ NODE_ENV: 'production', ...secret, ...db })).toThrow(
    /^Invalid configuration: NODE_ENV=production needs ACCOUNT_SECURITY_API_KEY \(Authy\) or TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and VERIFY_SERVICE_SID \(Twilio Verify\); [^\n]*SANDBOX_DEMO=true$/,
  );
  expect(() => loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k', ...db })).toThrow(
    /^Invalid configuration: NODE_ENV=production needs SESSION_SECRET$/,
  );
  expect(() => loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k', ...secret })).toThrow(
    /^Invalid configuration: NODE_ENV=production needs MONGODB_URI$/,
  );
  // A container started with nothing hears everything at once.
  expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/needs ACCOUNT_SECURITY_API_KEY .*, MONGODB_URI, SESSION_SECRET; /);
  expect(loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k', ...secret, ...db }).nodeEnv).toBe('production');
  expect(loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k', ...secret, MONGO_CONNECTION: db.MONGODB_URI }).nodeEnv).toBe(
    'production',
  );
});

test('SANDBOX_DEMO=true runs the sandbox in production (a session secret may be generated), still on loopback unless allowed', () => {
  const demo = { NODE_ENV: 'production', SANDBOX_DEMO: 'true' };
  expect(() => loadConfig(demo)).toThrow(/^Invalid configuration: NODE_ENV=production needs MONGODB_URI$/);
  expect(loadConfig({ ...demo, MONGODB_URI: 'mongodb://db/app' })).toMatchObject({
    sandbox: true,
    host: '127.0.0.1',
    sessionSecret: undefined,
  });
  expect(() => loadConfig({ ...demo, MONGODB_URI: 'mongodb://db/app', HOST: '0.0.0.0' })).toThrow(/HOST 0\.0\.0\.0 is not loopback/);
  expect(loadConfig({ ...demo, MONGODB_URI: 'mongodb://db/app', HOST: '0.0.0.0', SANDBOX_ALLOW_REMOTE: 'true' }).host).toBe('0.0.0.0');
  // With real credentials the switch changes nothing: production rules apply.
  expect(() => loadConfig({ ...demo, MONGODB_URI: 'mongodb://db/app', ACCOUNT_SECURITY_API_KEY: 'k' })).toThrow(/needs SESSION_SECRET$/);
  expect(() => loadConfig({ SANDBOX_DEMO: 'yes' })).toThrow(/^Invalid configuration: SANDBOX_DEMO /);
});

test('metrics: off by default; METRICS_TOKEN (32+ printable characters) and METRICS_PORT (not PORT) turn them on', () => {
  expect(loadConfig({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
  const token = 'm'.repeat(40);
  expect(loadConfig({ METRICS_TOKEN: token, METRICS_PORT: '9464' })).toMatchObject({ metricsToken: token, metricsPort: 9464 });
  for (const bad of ['short', `${'m'.repeat(40)} x`]) {
    expect(() => loadConfig({ METRICS_TOKEN: bad })).toThrow(
      /^Invalid configuration: METRICS_TOKEN must be at least 32 printable characters$/,
    );
  }
  expect(() => loadConfig({ METRICS_PORT: '0' })).toThrow(/^Invalid configuration: METRICS_PORT /);
  expect(() => loadConfig({ METRICS_PORT: '1337' })).toThrow(/^Invalid configuration: METRICS_PORT must differ from PORT$/);
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

describe('the 2FA provider', () => {
  const twilio = {
    TWILIO_ACCOUNT_SID: `AC${'ab12'.repeat(8)}`,
    TWILIO_AUTH_TOKEN: 'f'.repeat(32),
    VERIFY_SERVICE_SID: `VA${'cd34'.repeat(8)}`,
  };

  test('nothing set: the sandbox, Authy by default, TWOFA_PROVIDER=verify for its Verify', () => {
    expect(loadConfig({})).toMatchObject({ provider: 'authy', sandbox: true, twilio: undefined });
    expect(loadConfig({ TWOFA_PROVIDER: 'verify' })).toMatchObject({
      provider: 'verify',
      sandbox: true,
      host: '127.0.0.1',
      twilio: undefined,
    });
  });

  test('the three Twilio variables select Verify; the Authy key selects Authy', () => {
    expect(loadConfig(twilio)).toMatchObject({
      provider: 'verify',
      sandbox: false,
      host: '0.0.0.0',
      authyApiKey: undefined,
      twilio: { accountSid: twilio.TWILIO_ACCOUNT_SID, authToken: twilio.TWILIO_AUTH_TOKEN, serviceSid: twilio.VERIFY_SERVICE_SID },
    });
    expect(loadConfig({ ACCOUNT_SECURITY_API_KEY: 'k' })).toMatchObject({ provider: 'authy', sandbox: false, authyApiKey: 'k' });
  });

  test('both set: refused unless TWOFA_PROVIDER says which', () => {
    const both = { ...twilio, ACCOUNT_SECURITY_API_KEY: 'k' };
    expect(() => loadConfig(both)).toThrow(/^Invalid configuration: TWOFA_PROVIDER must be authy or verify/);
    expect(loadConfig({ ...both, TWOFA_PROVIDER: 'authy' })).toMatchObject({ provider: 'authy', authyApiKey: 'k', twilio: undefined });
    expect(loadConfig({ ...both, TWOFA_PROVIDER: 'verify' })).toMatchObject({ provider: 'verify', authyApiKey: undefined });
  });

  test('TWOFA_PROVIDER naming an API whose credentials are missing is refused', () => {
    expect(() => loadConfig({ ACCOUNT_SECURITY_API_KEY: 'k', TWOFA_PROVIDER: 'verify' })).toThrow(
      /TWOFA_PROVIDER=verify needs TWILIO_ACCOUNT_SID/,
    );
    expect(() => loadConfig({ ...twilio, TWOFA_PROVIDER: 'authy' })).toThrow(/TWOFA_PROVIDER=authy needs ACCOUNT_SECURITY_API_KEY/);
    expect(() => loadConfig({ TWOFA_PROVIDER: 'twilio' })).toThrow(/^Invalid configuration: TWOFA_PROVIDER /);
  });

  test('part of the Twilio variables is refused, naming the missing ones', () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: twilio.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: twilio.TWILIO_AUTH_TOKEN })).toThrow(
      /^Invalid configuration: VERIFY_SERVICE_SID must be set with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/,
    );
    expect(() => loadConfig({ VERIFY_SERVICE_SID: twilio.VERIFY_SERVICE_SID })).toThrow(
      /^Invalid configuration: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set with VERIFY_SERVICE_SID/,
    );
  });

  test("VERIFY_DEMO_SERVICE_SID: the phone verification demo's own Service, with the Twilio variables, not the 2FA one", () => {
    const demo = `VA${'ef56'.repeat(8)}`;
    expect(loadConfig({ ...twilio, VERIFY_DEMO_SERVICE_SID: demo }).twilio).toMatchObject({ demoServiceSid: demo });
    expect(loadConfig(twilio).twilio?.demoServiceSid).toBeUndefined();
    expect(() => loadConfig({ VERIFY_DEMO_SERVICE_SID: demo })).toThrow(
      /^Invalid configuration: VERIFY_DEMO_SERVICE_SID needs TWILIO_ACCOUNT_SID/,
    );
    expect(() => loadConfig({ ...twilio, VERIFY_DEMO_SERVICE_SID: twilio.VERIFY_SERVICE_SID })).toThrow(/must be another Service/);
    expect(() => loadConfig({ ...twilio, VERIFY_DEMO_SERVICE_SID: 'VA12' })).toThrow(/^Invalid configuration: VERIFY_DEMO_SERVICE_SID /);
  });

  test.each(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'VERIFY_SERVICE_SID'])('%s set but blank is refused, not read as unset', (name) => {
    expect(() => loadConfig({ ...twilio, [name]: '  ' })).toThrow(new RegExp(`^Invalid configuration: ${name} is set but blank`));
  });

  test.each([
    [{ ...twilio, TWILIO_ACCOUNT_SID: 'AC123' }, 'TWILIO_ACCOUNT_SID'],
    [{ ...twilio, TWILIO_ACCOUNT_SID: `SK${'ab12'.repeat(8)}` }, 'TWILIO_ACCOUNT_SID'],
    [{ ...twilio, TWILIO_AUTH_TOKEN: 'short' }, 'TWILIO_AUTH_TOKEN'],
    [{ ...twilio, VERIFY_SERVICE_SID: `MG${'cd34'.repeat(8)}` }, 'VERIFY_SERVICE_SID'],
    [{ VERIFY_SANDBOX_AUTH_TOKEN: 'short' }, 'VERIFY_SANDBOX_AUTH_TOKEN'],
  ])('a malformed value is named without echoing it: %j', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('f'.repeat(32)) }));
  });

  test('production runs on Twilio Verify, and still refuses the sandbox', () => {
    expect(
      loadConfig({ ...twilio, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), MONGODB_URI: 'mongodb://db/app' }),
    ).toMatchObject({
      provider: 'verify',
      sandbox: false,
    });
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), TWOFA_PROVIDER: 'verify' })).toThrow(
      /TWILIO_ACCOUNT_SID/,
    );
  });
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
