// The SPA's HTML5 URLs all serve one index.html; guarded ones redirect first, as the original
// did. Hashed assets are cached for a year; the HTML never is, so a new build is seen at once.
import express, { Router, type RequestHandler, type Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { requireLoginPage, requirePhoneVerificationPage, requireTwoFactorPage } from '../auth/guards';

const OPEN_PAGES = ['/', '/register', '/login', '/verification', '/forgot-password', '/reset-password'];

const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/** The files in `dir` (none when it does not exist yet). */
function filesIn(dir: string): ReadonlySet<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

/**
 * Content-hashed bundles, cached for a year. The build writes .br and .gz copies beside them;
 * a browser that accepts one gets it, so nothing is compressed per request. The copies are
 * listed once, at start: a request's name is never remembered, so unique names cost no memory.
 * (A bundle rebuilt under a running server is served uncompressed until it restarts.)
 */
export function assetRoutes(publicDir: string): RequestHandler {
  const dir = path.join(publicDir, 'assets');
  const serve = express.static(dir, { immutable: true, maxAge: '365d', index: false, fallthrough: false });
  const precompressed = filesIn(dir);
  return (req, res, next) => {
    res.vary('Accept-Encoding');
    const compressed =
      /^\/[\w.-]+$/.test(req.path) &&
      ENCODINGS.find(([encoding, ext]) => req.acceptsEncodings(encoding) === encoding && precompressed.has(req.path.slice(1) + ext));
    if (compressed) {
      res.type(path.extname(req.path));
      res.set('Content-Encoding', compressed[0]);
      req.url = req.path + compressed[1];
    }
    serve(req, res, next);
  };
}

export function pageRoutes(publicDir: string): Router {
  const router = Router();
  const indexHtml = path.join(publicDir, 'index.html');

  const sendIndex = (res: Response, status = 200) => {
    if (!existsSync(indexHtml)) {
      res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build` (npm start does it for you).\n');
      return;
    }
    res.status(status).set('Cache-Control', 'no-cache').sendFile(indexHtml);
  };
  const page: RequestHandler = (_req, res) => sendIndex(res);

  router.get(OPEN_PAGES, page);
  router.get('/2fa', requireLoginPage, page);
  router.get(['/protected', '/account'], requireTwoFactorPage, page);
  router.get('/verified', requirePhoneVerificationPage, page);
  // Any other address a browser asks for as a page: the SPA, which shows its "not found" view,
  // with status 404. Other requests (an API client, curl's */*) get the JSON 404 after this.
  router.get(/.*/, (req, res, next) => {
    if (req.accepts(['json', 'html']) !== 'html') return next();
    sendIndex(res, 404);
  });
  return router;
}
