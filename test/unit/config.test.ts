import { loadConfig } from '../../server/config';

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

test('MONGO_CONNECTION is an alias of MONGODB_URI, which wins', () => {
  expect(loadConfig({ MONGO_CONNECTION: 'mongodb://a/x' }).mongodbUri).toBe('mongodb://a/x');
  expect(loadConfig({ MONGO_CONNECTION: 'mongodb://a/x', MONGODB_URI: 'mongodb://b/y' }).mongodbUri).toBe('mongodb://b/y');
});

test('empty values count as unset', () => {
  expect(loadConfig({ PORT: '', SESSION_SECRET: '  ' })).toMatchObject({ port: 1337, sessionSecret: undefined });
});

test.each([
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ MONGODB_URI: 'http://db' }, 'MONGODB_URI'],
  [{ MONGO_CONNECTION: 'localhost:27017' }, 'MONGO_CONNECTION'],
  [{ AUTHY_API_URL: 'api.authy.com' }, 'AUTHY_API_URL'],
  [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
  [{ PUBLIC_URL: 'example.com' }, 'PUBLIC_URL'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
  [{ AUTHY_SANDBOX_KEY: 'short' }, 'AUTHY_SANDBOX_KEY'],
])('a bad value stops start-up with an error naming the variable: %j', (env, name) => {
  expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name} `));
});

test('production refuses the sandbox and a generated session secret', () => {
  expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) })).toThrow(/ACCOUNT_SECURITY_API_KEY/);
  expect(() => loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k' })).toThrow(/SESSION_SECRET/);
  expect(loadConfig({ NODE_ENV: 'production', ACCOUNT_SECURITY_API_KEY: 'k', SESSION_SECRET: 'x'.repeat(32) }).nodeEnv).toBe('production');
});

test('PUBLIC_URL loses its trailing slash; TRUST_PROXY reads booleans, hop counts and lists', () => {
  expect(loadConfig({ PUBLIC_URL: 'https://2fa.example.com/' }).publicUrl).toBe('https://2fa.example.com');
  expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
});
