import type { IPromise } from 'angular';
import type { ApiService, NextUrl } from './api.service';

/**
 * Who is signed in, as the server last said (POST /api/loggedIn): the header shows the username
 * and Log out. The guards ask on every guarded page; the first page asks once if it is not one.
 */
export class SessionService {
  static $inject = ['api'];
  username = '';
  next: NextUrl = '/login';
  /** Whether the server has been asked yet. */
  known = false;

  constructor(private readonly api: ApiService) {}

  get signedIn(): boolean {
    return this.next !== '/login';
  }

  refresh(): IPromise<NextUrl> {
    return this.api.loginState().then((state) => {
      this.known = true;
      this.next = state.url;
      this.username = state.url === '/login' ? '' : (state.username ?? '');
      return state.url;
    });
  }

  logout(): IPromise<void> {
    return this.api.logout().then(() => {
      this.next = '/login';
      this.username = '';
    });
  }
}
