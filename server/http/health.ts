// Liveness and readiness probes. Mounted before sessions: probes must not create or read them.
import { Router } from 'express';
import type { Connection } from 'mongoose';

export function healthRoutes(connection: Connection): Router {
  const router = Router();
  // GET /healthz: the process answers.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // GET /readyz: the database answers too.
  router.get('/readyz', async (_req, res) => {
    try {
      await connection.db!.admin().ping();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ error: 'The database is not reachable.' });
    }
  });
  return router;
}
