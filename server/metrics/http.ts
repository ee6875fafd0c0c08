// Metrics over HTTP: the latency of every request by route pattern, and GET /metrics in the
// Prometheus text format, either on the app's port behind `Authorization: Bearer <METRICS_TOKEN>`
// or on a port of its own bound to loopback (METRICS_PORT), for a scraper on the same machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Express, type Request, type RequestHandler } from 'express';
import { safeEqual } from '../platform/safe-equal';
import type { Metrics } from './metrics';

export interface MetricsSource {
  /** The exposition text: this process's registry, or (in a cluster) the sum of the workers'. */
  render(): Promise<string>;
  contentType: string;
}

const ROUTE = Symbol('route');
const PATTERN = Symbol('route pattern');
type Routed = Request & { [ROUTE]?: unknown; [PATTERN]?: string };

/**
 * Express sets `req.route` when a route matches, while `req.baseUrl` is still its router's mount
 * path (an error answered later has lost it): a setter on this app's request prototype keeps the
 * full pattern then, e.g. /api/passkeys/:id, never the path itself (ids, tokens, numbers).
 */
function recordRoutePatterns(app: Express): void {
  Object.defineProperty(app.request, 'route', {
    configurable: true,
    get(this: Routed) {
      return this[ROUTE];
    },
    set(this: Routed, route: { path: unknown }) {
      this[ROUTE] = route;
      // A catch-all pattern (the pages' HTML 404) names no route: the request stays unmatched.
      this[PATTERN] = route.path instanceof RegExp ? undefined : (this.baseUrl || '') + patternOf(route.path, this.path);
    },
  });
}

/** A route with several fixed paths (the SPA's open pages) is labelled with the one that matched. */
function patternOf(path: unknown, requested: string): string {
  if (typeof path === 'string') return path;
  const wanted = requested.toLowerCase().replace(/(.)\/$/, '$1');
  return (Array.isArray(path) && (path as unknown[]).find((p): p is string => p === wanted)) || 'page';
}

/** Unrouted answers: static files under their mount (/assets/*), everything else one label. */
const labelOf = (req: Routed) => req[PATTERN] ?? (req.baseUrl ? `${req.baseUrl}/*` : 'unmatched');

/** Times every request of `app` from arrival to the end of its response. */
export function observeRequests(app: Express, metrics: Metrics): RequestHandler {
  recordRoutePatterns(app);
  return (req, res, next) => {
    const start = performance.now();
    res.once('finish', () => metrics.request(labelOf(req), req.method, res.statusCode, (performance.now() - start) / 1000));
    next();
  };
}

const authorized = (header: string | undefined, token: string) =>
  header?.startsWith('Bearer ') === true && safeEqual(header.slice(7), token);

/** GET /metrics on the app's port, for a scraper holding the token (mounted before sessions). */
export function metricsRoute(token: string, source: MetricsSource): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!authorized(req.get('authorization'), token)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"').status(401).json({ error: 'Metrics need the bearer token.' });
      return;
    }
    let text: string;
    try {
      text = await source.render();
    } catch {
      res.status(503).json({ error: 'Metrics are not available right now.' });
      return;
    }
    res.type(source.contentType).send(text);
  });
  return router;
}

/** GET /metrics on 127.0.0.1:`port` only; the token is asked for here too when one is set. */
export async function startMetricsServer(o: { port: number; token?: string; source: MetricsSource }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const answer = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET' || path !== '/metrics') return answer(404, 'application/json', '{"error":"Not found."}');
    if (o.token && !authorized(req.headers.authorization, o.token)) {
      return answer(401, 'application/json', '{"error":"Metrics need the bearer token."}');
    }
    o.source.render().then(
      (text) => answer(200, o.source.contentType, text),
      () => answer(503, 'application/json', '{"error":"Metrics are not available right now."}'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  return server;
}

export const portOf = (server: http.Server) => (server.address() as AddressInfo).port;
