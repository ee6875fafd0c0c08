// Memory an anonymous visitor can make the server keep: requests for /assets/<name> with
// Accept-Encoding, each name new and long. The server must not remember anything per name (it
// once kept, for every name asked, whether a .br and a .gz copy existed, in a Map that never
// shrank: 41.5 MiB per 3,000 such requests, until the process died).
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import express from 'express';
import { assetRoutes } from '../../server/site/pages';
import { FIXTURE_PUBLIC_DIR } from '../support/app';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const REQUESTS = 600;
/** Long, but within Node's 16 KiB of headers. */
const NAME_LENGTH = 15_000;

let server: http.Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.use('/assets', assetRoutes(FIXTURE_PUBLIC_DIR));
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(404).end();
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** `names` requested one after the other on one connection (pipelined: the client costs nothing); their statuses. */
function requestAll(names: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const statuses: string[] = [];
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
      for (let at = text.indexOf('HTTP/1.1 '); at >= 0; at = text.indexOf('HTTP/1.1 ')) {
        statuses.push(text.slice(at + 9, at + 12));
        text = text.slice(at + 12);
      }
      if (statuses.length === names.length) {
        socket.destroy();
        resolve(statuses);
      }
    });
    socket.on('error', reject);
    for (const name of names) socket.write(`GET /assets/${name} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: br, gzip\r\n\r\n`);
  });
}

const heapUsed = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

test('the precompressed copies, listed once at start, are still served', async () => {
  const encoding = await new Promise((resolve, reject) =>
    http
      .get({ host: '127.0.0.1', port, path: '/assets/app-TEST.js', headers: { 'Accept-Encoding': 'br, gzip' } }, (res) => {
        res.resume();
        resolve(res.headers['content-encoding']);
      })
      .on('error', reject),
  );
  expect(encoding).toBe('gzip');
});

test(`${REQUESTS} requests for new ${NAME_LENGTH}-character names leave the heap as it was`, async () => {
  const filler = 'a'.repeat(NAME_LENGTH);
  await requestAll(Array.from({ length: 20 }, (_, i) => `warm-${i}-${filler}.js`));
  const before = heapUsed();
  const connections = Array.from({ length: 4 }, (_, c) =>
    requestAll(Array.from({ length: REQUESTS / 4 }, (_, i) => `${c}-${i}-${filler}.js`)),
  );
  for (const statuses of await Promise.all(connections)) expect(new Set(statuses)).toEqual(new Set(['404']));
  // Remembering each name keeps about REQUESTS × NAME_LENGTH bytes: 9 MiB here.
  expect(heapUsed() - before).toBeLessThan(2 * 1024 * 1024);
});
