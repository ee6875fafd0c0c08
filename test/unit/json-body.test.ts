// The API reads plain JSON bodies itself (http/json-body.ts) rather than through body-parser: for
// every body, the answer must be the one express.json would have led to.
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../server/http/errors';
import { checkBodyShape, JSON_LIMIT, parseJsonBody } from '../../server/http/json-body';
import { createLogger } from '../../server/platform/logger';

function echo(parsers: express.RequestHandler[]) {
  const app = express();
  app.use(parsers);
  app.post('/', (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.use(errorHandler(createLogger('silent')));
  return app;
}
const ours = echo(parseJsonBody());
const bodyParser = echo([express.json({ limit: JSON_LIMIT, strict: true }), checkBodyShape]);

const BODIES: Record<string, string | Buffer> = {
  'an object': '{"username":"ada","country_code":"+44"}',
  'an empty object': '{}',
  'an array': '[1,2,3]',
  'leading white space': ' \r\n\t{"a":1}',
  'a byte order mark': '\uFEFF{"a":1}',
  'a string': '"just a string"',
  'a number': '42',
  null: 'null',
  'cut short': '{"a":',
  'two values': '{} {}',
  'invalid UTF-8': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  'non-ASCII text': '{"name":"Zoë ☃"}',
  'nested too deeply': '{"a":'.repeat(20) + '1' + '}'.repeat(20),
  'exactly the limit': `{"a":"${'x'.repeat(10 * 1024 - 8)}"}`,
  'one byte past the limit': `{"a":"${'x'.repeat(10 * 1024 - 7)}"}`,
};
const TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON; charset="UTF-8"',
  'application/json; charset=latin1',
];

describe.each(TYPES)('Content-Type %s', (type) => {
  test.each(Object.keys(BODIES))('%s: the same answer as express.json', async (name) => {
    const send = (app: express.Express) => request(app).post('/').set('Content-Type', type).send(BODIES[name]);
    const [a, b] = await Promise.all([send(ours), send(bodyParser)]);
    expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
  });
});
