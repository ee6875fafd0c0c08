// A stand-in for Authy on a real port, for a server running in another process (nock cannot reach
// it): it answers user registrations, but only when the test releases them, so a test knows a
// request is in flight.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowAuthy {
  url: string;
  /** Resolves once `n` registrations have reached this Authy (held until release()). */
  received(n?: number): Promise<void>;
  /** Answers the registrations held so far, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

export async function startSlowAuthy(): Promise<SlowAuthy> {
  let released = false;
  const held: (() => void)[] = [];
  let count = 0;
  let waiters: { n: number; resolve(): void }[] = [];
  let nextId = 5000;
  const server = http.createServer((req, res) => {
    req.resume();
    const answer = () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, message: 'User created successfully.', user: { id: nextId++ } }));
    };
    if (req.method !== 'POST' || !req.url?.startsWith('/protected/json/users/new')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ success: false, message: 'Not found', error_code: '60000' }));
      return;
    }
    count++;
    waiters = waiters.filter((w) => (w.n <= count ? (w.resolve(), false) : true));
    if (released) answer();
    else held.push(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: (n = 1) => new Promise<void>((resolve) => (n <= count ? resolve() : waiters.push({ n, resolve }))),
    release: () => {
      released = true;
      held.splice(0).forEach((answer) => answer());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
