import type { StateService } from '@uirouter/angularjs';
import type { ApiService } from '../core/api.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';
import template from './login.html';
import { pageModule } from '../core/page-module';

class LoginController {
  static $inject = ['api', 'passkeys', '$state'];
  username = '';
  password = '';
  /** "Sign in with a passkey" shows once passkeys are known to work here. */
  passkeyUsable = false;
  /** Why they do not, when the page is at another address than the server's PUBLIC_URL. */
  passkeyNote = '';
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
  ) {}

  $onInit(): void {
    void this.passkeys.unavailableReason().then((reason) => {
      this.passkeyUsable = reason === '';
      this.passkeyNote = reason;
    });
  }

  submit(): void {
    // A remembered browser skips the second factor.
    this.state.run(
      this.api.login(this.username, this.password),
      (res) => void this.$state.go(res.url === '/protected' ? 'protected' : 'twofa'),
    );
  }

  /** A passkey with user verification is both factors: straight to /protected. */
  signInWithPasskey(): void {
    this.state.run(this.passkeys.signIn(), () => void this.$state.go('protected'), passkeyErrorMessage);
  }
}

/** `/login`: username and password, then the second factor; or a passkey alone. */
export default pageModule(
  { name: 'login', url: '/login', component: 'login', data: { title: 'Log in' } },
  { controller: LoginController, template },
);
