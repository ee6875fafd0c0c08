// helmet with a Content-Security-Policy that allows no inline script and nothing from another
// origin: every asset is served by the app. Over https, HSTS and upgrade-insecure-requests too.
// Every header here is the same on every response, so helmet runs once, at start, and each
// response gets the headers it set (helmet's own middleware rebuilds them all per request).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

export function helmetOptions(secure: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: secure,
  };
}

/** The headers helmet sets, and those it removes, as it answers one request. */
export function helmetHeaders(options: HelmetOptions): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const res = {
    setHeader: (name: string, value: unknown) => void set.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let passed = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('security-headers: helmet failed');
    passed = true;
  });
  // helmet answers synchronously; a version that did not would be caught here, not in production.
  if (!passed) throw new Error('security-headers: helmet did not call next() synchronously');
  return { set, removed };
}

export function securityHeaders(secure: boolean): RequestHandler {
  const { set, removed } = helmetHeaders(helmetOptions(secure));
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
