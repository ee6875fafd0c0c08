import type { StateService } from '@uirouter/angularjs';
import type { ApiService } from '../core/api.service';
import { RequestState } from '../core/request-state';
import template from './login.html';
import { pageModule } from '../core/page-module';

class LoginController {
  static $inject = ['api', '$state'];
  username = '';
  password = '';
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
  ) {}

  submit(): void {
    this.state.run(this.api.login(this.username, this.password), () => void this.$state.go('twofa'));
  }
}

/** `/login`: username and password; then the second factor. */
export default pageModule(
  { name: 'login', url: '/login', component: 'login', data: { title: 'Log in' } },
  { controller: LoginController, template },
);
