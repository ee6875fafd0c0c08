// What 2FA protects, and the original's connectivity probe.
import { Router, type Request, type Response } from 'express';
import type { ProtectedContent } from '../../common/api';
import { loginStage } from '../auth/login-session';
import { requireTwoFactorApi } from '../auth/guards';

export function protectedRoutes(): Router {
  const router = Router();

  // GET /api/protected: the content itself, only after 2FA.
  router.get('/protected', requireTwoFactorApi, (req: Request, res: Response<ProtectedContent>) => {
    const login = loginStage(req);
    const username = login.stage === 'anonymous' ? '' : login.username;
    res.json({
      username,
      message: `Welcome, ${username}. You passed two-factor authentication: this content is protected.`,
    });
  });

  // POST /api/test
  router.post('/test', (_req, res) => {
    res.json({ connected: true });
  });

  return router;
}
