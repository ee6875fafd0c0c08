import type { IAugmentedJQuery } from 'angular';
import { ACCOUNT_RULES, PASSWORD_MIN, USERNAME_MAX } from '../../common/account-rules';
import type { StateService } from '@uirouter/angularjs';
import type { ApiService, Registration } from '../core/api.service';
import { DEFAULT_CALLING_CODE } from '../core/phone-fields.component';
import { RequestState } from '../core/request-state';
import template from './register.html';
import { pageModule } from '../core/page-module';

class RegisterController {
  static $inject = ['api', '$state', '$element'];
  user: Registration = { username: '', email: '', password: '', country_code: DEFAULT_CALLING_CODE, phone_number: '' };
  password2 = '';
  readonly state = new RequestState();
  /** Shown before anything is typed: the server's own rules. */
  readonly rules = ACCOUNT_RULES;
  readonly usernameMax = USERNAME_MAX;
  readonly passwordMin = PASSWORD_MIN;

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
    private readonly $element: IAugmentedJQuery,
  ) {}

  submit(): void {
    if (this.user.password !== this.password2) {
      this.state.fail('The passwords do not match.', 'password2');
      this.focus('password2');
      return;
    }
    this.state.run(this.api.register(this.user), () => void this.$state.go('twofa')).then(() => this.focus(this.state.field));
  }

  /** Moves focus to the field an error names (the ids are the API's field names). */
  private focus(field: string | undefined): void {
    if (!field || !/^\w+$/.test(field)) return;
    const input = this.$element[0].querySelector<HTMLElement>(`#${field}`);
    input?.focus();
  }
}

/** `/register`: a new account, registered with the 2FA provider (Authy or Twilio Verify); then the second factor. */
export default pageModule(
  {
    name: 'register',
    url: '/register',
    component: 'register',
    data: { title: 'Register', requires: 'signed-out' },
  },
  { controller: RegisterController, template },
);
