// GET /api/config: what the SPA needs to know about this server, and nothing secret.
import { Router } from 'express';
import type { SiteInfo } from '../../common/site-info';

export function siteRoutes(info: SiteInfo): Router {
  const router = Router();
  router.get('/config', (_req, res) => {
    res.json(info);
  });
  return router;
}
