// The SPA's HTML5 URLs all serve one index.html; guarded ones redirect first, as the original
// did. Hashed assets are cached for a year; the HTML never is, so a new build is seen at once.
import express, { Router, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { requireLoginPage, requirePhoneVerificationPage, requireTwoFactorPage } from './guards';

const OPEN_PAGES = ['/', '/register', '/login', '/verification'];

/** Content-hashed bundles: cached for a year. */
export const assetRoutes = (publicDir: string) =>
  express.static(path.join(publicDir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false });

export function pageRoutes(publicDir: string): Router {
  const router = Router();
  const indexHtml = path.join(publicDir, 'index.html');

  const sendIndex = (_req: unknown, res: Response) => {
    if (!existsSync(indexHtml)) {
      res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build` (npm start does it for you).\n');
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(indexHtml);
  };

  router.get(OPEN_PAGES, sendIndex);
  router.get('/2fa', requireLoginPage, sendIndex);
  router.get('/protected', requireTwoFactorPage, sendIndex);
  router.get('/verified', requirePhoneVerificationPage, sendIndex);
  return router;
}
