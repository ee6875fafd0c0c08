import type { StateService, Transition } from '@uirouter/angularjs';
import type { ApiService } from '../core/api.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';
import type { SiteService } from '../core/site.service';
import { returnState } from '../core/guards';
import template from './login.html';
import { pageModule } from '../core/page-module';

class LoginController {
  static $inject = ['api', 'passkeys', '$state', 'site'];
  username = '';
  password = '';
  /** "Sign in with a passkey" shows once passkeys are known to work here. */
  passkeyUsable = false;
  /** Why they do not, when the page is at another address than the server's PUBLIC_URL. */
  passkeyNote = '';
  /** "Forgot password?" shows where the server can email a link. */
  readonly passwordReset: boolean;
  readonly state = new RequestState();
  /** The page the person was sent here from (`?next=`), to return to after 2FA. */
  next?: string;
  /** A binding: the transition that opened the page. */
  $transition$!: Transition;

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
    site: SiteService,
  ) {
    this.passwordReset = site.info.passwordReset;
  }

  $onInit(): void {
    const next = this.$transition$.params().next as unknown;
    this.next = returnState(next) ? (next as string) : undefined;
    void this.passkeys.unavailableReason().then((reason) => {
      this.passkeyUsable = reason === '';
      this.passkeyNote = reason;
    });
  }

  submit(): void {
    // A remembered browser skips the second factor: straight to the page asked for, or /protected.
    this.state.run(this.api.login(this.username, this.password), (res) => {
      if (res.url === '/protected') void this.$state.go(returnState(this.next) ?? 'protected');
      else void this.$state.go('twofa', { next: this.next });
    });
  }

  /** A passkey with user verification is both factors: straight to /protected. */
  signInWithPasskey(): void {
    this.state.run(this.passkeys.signIn(), () => void this.$state.go(returnState(this.next) ?? 'protected'), passkeyErrorMessage);
  }
}

/** `/login`: username and password, then the second factor; or a passkey alone. A signed-in person goes past it. */
export default pageModule(
  { name: 'login', url: '/login?next', component: 'login', data: { title: 'Log in', requires: 'signed-out' } },
  { bindings: { $transition$: '<' }, controller: LoginController, template },
);
