// The security headers are computed once from helmet: every response must carry exactly what
// helmet's own middleware would have set on it, over http and over https.
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { helmetOptions, securityHeaders } from '../../server/http/security-headers';

function headersOf(middleware: express.RequestHandler) {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => {
    res.send('ok');
  });
  return request(app)
    .get('/')
    .expect(200)
    .then((res) => {
      const headers = { ...(res.headers as Record<string, string>) };
      delete headers.date;
      return headers;
    });
}

test.each([false, true])("secure=%s: the same headers as helmet's middleware, CSP and x-powered-by included", async (secure) => {
  const expected = await headersOf(helmet(helmetOptions(secure)));
  expect(expected['content-security-policy']).toMatch(/default-src 'self'/);
  expect(expected['x-powered-by']).toBeUndefined();
  expect(await headersOf(securityHeaders(secure))).toEqual(expected);
});
