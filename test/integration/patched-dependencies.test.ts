// authy-client, and the request library under it, still work with the patched copies of their
// dependencies that SECURITY.md's overrides force (the versions are checked in
// test/unit/dependencies.test.ts): validation, a request to a local server, cookies, qs, multipart.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from 'authy-client';

const root = path.resolve(__dirname, '../..');

/** The folder of an installed package, as required from `from`. */
const packageDir = (name: string, from = root) => path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));

describe('authy-client with the patched copies', () => {
  const client = new Client({ key: 'test-key' }, { host: 'http://127.0.0.1:1', timeout: 2000 });

  test('it still validates before sending (validator 13 isEmail, libphonenumber)', async () => {
    await expect(client.registerUser({ countryCode: 'US', email: 'not-an-email', phone: '415-555-2671' })).rejects.toMatchObject({
      name: 'ValidationFailedError',
      errors: { email: expect.anything() },
    });
    await expect(client.registerUser({ countryCode: 'US', email: 'a@b.co', phone: '12' })).rejects.toMatchObject({
      name: 'ValidationFailedError',
      errors: { phone: expect.anything() },
    });
  });

  test('valid input passes validation and reaches the network (request)', async () => {
    await expect(client.registerUser({ countryCode: 'US', email: 'a@b.co', phone: '415-555-2671' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  test('verifyCallback still validates its request', async () => {
    await expect(
      client.verifyCallback({ body: {}, headers: {}, method: 'POST', protocol: 'https', url: '/callback' }),
    ).rejects.toMatchObject({
      name: 'ValidationFailedError',
    });
  });

  test("request's cookie jar (tough-cookie 4), qs and multipart (form-data 2.5) still work", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const request = require(packageDir('request', packageDir('authy-client')));
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.setHeader('set-cookie', 'sid=abc; Path=/');
        res.end(JSON.stringify({ url: req.url, type: req.headers['content-type'], cookie: req.headers.cookie ?? null, body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = (options: object) =>
      new Promise<{ url: string; type?: string; cookie: string | null; body: string }>((resolve, reject) =>
        request({ ...options, json: true }, (err: Error | null, _res: unknown, body: never) => (err ? reject(err) : resolve(body))),
      );
    try {
      const jar = request.jar();
      expect((await call({ url: `${base}/a?x=1`, qs: { y: ['1', '2'] }, jar })).url).toBe('/a?x=1&y%5B0%5D=1&y%5B1%5D=2');
      expect((await call({ url: `${base}/b`, jar })).cookie).toBe('sid=abc');
      const multipart = await new Promise<string>((resolve, reject) =>
        request.post({ url: `${base}/c`, formData: { field: 'value' } }, (err: Error | null, _res: unknown, body: string) =>
          err ? reject(err) : resolve(body),
        ),
      );
      const { type, body } = JSON.parse(multipart);
      expect(type).toMatch(/^multipart\/form-data; boundary=/);
      expect(body).toContain('name="field"');
    } finally {
      server.close();
    }
  });
});
