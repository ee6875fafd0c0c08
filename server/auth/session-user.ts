// The user whose login a session carries, for the routes that act on that user.
import type { Request } from 'express';
import { HttpError } from '../http/errors';
import { endLogin, loginStage } from './login-session';
import type { UserModel } from './user.model';

/** The logged-in user; a session whose user is gone (deleted meanwhile) is ended, with a 401. */
export async function sessionUser(req: Request, users: UserModel) {
  const login = loginStage(req);
  const user = login.stage === 'anonymous' ? null : await users.findById(login.userId);
  if (!user) {
    await endLogin(req);
    throw new HttpError(401, 'Please log in first.');
  }
  return user;
}
