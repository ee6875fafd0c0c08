// Starts the app on a port: listen first (in sandbox mode the app's 2FA client calls this very
// server, so it needs the real port), then wire the app, then keep expired documents swept.
// Used by server/index.ts, the tests and the benchmark alike.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { composeApp, expiringCollections, loadSandbox, type ComposeOptions } from './compose';
import { ensureExpiry, type ExpiryHandle } from '../db/expiry';

type ServerConfig = ComposeOptions['config'];

export interface ServerOptions extends Omit<ComposeOptions, 'selfUrl' | 'config' | 'sandbox'> {
  /** The configuration, or a function of the port actually bound (port 0 picks a free one). */
  config: ServerConfig | ((bound: { url: string; port: number }) => ServerConfig);
  port: number;
  host: string;
  /** How often expired documents are swept on FerretDB (MongoDB uses TTL indexes). */
  sweepIntervalMs?: number;
  /** Sees every request before the app does (the benchmark counts requests in flight). */
  observe?: http.RequestListener;
}

export interface RunningServer {
  server: http.Server;
  app: Express;
  /** Where this server answers on loopback, e.g. http://127.0.0.1:1337. */
  url: string;
  port: number;
  /**
   * Stops accepting connections, stops the sweeper, answers the requests in flight (up to
   * `graceMs`, then their connections are cut) and closes every connection as it goes idle.
   */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_GRACE_MS = 10_000;

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const server = http.createServer();
  // A keep-alive connection would hold close() open until the grace period ends: once closing,
  // every response says `Connection: close`, and a connection is closed as soon as it is idle.
  let closing = false;
  const inFlight = new Set<http.ServerResponse>();
  server.on('request', (_req, res: http.ServerResponse) => {
    inFlight.add(res);
    if (closing) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  // Requests that arrive before the app is wired wait for it: in a cluster the primary hands this
  // worker connections as soon as it listens.
  const wired: { handle?: http.RequestListener } = {};
  const early: Parameters<http.RequestListener>[] = [];
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
    wired.handle ? wired.handle(req, res) : early.push([req, res]),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const loopback = ['0.0.0.0', '::'].includes(o.host) ? '127.0.0.1' : o.host;
  const url = `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;

  const config = typeof o.config === 'function' ? o.config({ url, port }) : o.config;

  let expiry: ExpiryHandle;
  let sandbox: Awaited<ReturnType<typeof loadSandbox>>;
  try {
    sandbox = await loadSandbox(config.sandbox);
    expiry = await ensureExpiry(o.connection, o.isFerretDB, expiringCollections(sandbox), {
      intervalMs: o.sweepIntervalMs,
      onError: (err) => o.logger.warn({ err: (err as Error).message }, 'expiry sweep failed'),
    });
  } catch (err) {
    for (const [req] of early) req.socket.destroy();
    server.close();
    throw err;
  }
  const app = composeApp({ ...o, config, selfUrl: url, sandbox });
  const handle: http.RequestListener = (req, res) => {
    o.observe?.(req, res);
    void app(req, res);
  };
  wired.handle = handle;
  for (const [req, res] of early.splice(0)) handle(req, res);

  const close = async (graceMs = DEFAULT_GRACE_MS) => {
    closing = true;
    expiry.stop();
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  };
  return { server, app, url, port, close };
}
