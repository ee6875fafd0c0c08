// GET /api/config: what the SPA needs to know about this server, and nothing secret.
import { Router, type Request, type Response } from 'express';
import type { SiteInfo } from '../../common/api';

export function siteRoutes(info: SiteInfo): Router {
  const router = Router();
  router.get('/config', (_req: Request, res: Response<SiteInfo>) => {
    res.json(info);
  });
  return router;
}
