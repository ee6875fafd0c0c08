import type { Transition, StateService } from '@uirouter/angularjs';
import { ACCOUNT_RULES, PASSWORD_MIN } from '../../common/account-rules';
import type { ApiService } from '../core/api.service';
import type { NoticeService } from '../core/notice.service';
import { RequestState } from '../core/request-state';
import { pageModule } from '../core/page-module';
import template from './reset-password.html';

class ResetPasswordController {
  static $inject = ['api', '$state', 'notice'];
  password = '';
  password2 = '';
  /** The emailed link's token (`?token=`): a binding, sent back once with the new password. */
  token = '';
  $transition$!: Transition;
  readonly state = new RequestState();
  readonly rule = ACCOUNT_RULES.password;
  readonly passwordMin = PASSWORD_MIN;

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
    private readonly notice: NoticeService,
  ) {}

  $onInit(): void {
    const token: unknown = this.$transition$.params().token;
    this.token = typeof token === 'string' ? token : '';
  }

  submit(): void {
    if (this.password !== this.password2) {
      this.state.fail('The passwords do not match.', 'password2');
      return;
    }
    // Every session of the account ended: log in with the new password, then the second factor.
    this.state.run(this.api.resetPassword(this.token, this.password), () => {
      void this.$state.go('login').then(() => {
        this.notice.info = 'Your password is changed. Log in with it; your second factor is still asked.';
      });
    });
  }
}

/** `/reset-password?token=…`: the page the emailed link opens, to choose a new password. */
export default pageModule(
  { name: 'resetPassword', url: '/reset-password?token', component: 'resetPassword', data: { title: 'Choose a new password' } },
  { bindings: { $transition$: '<' }, controller: ResetPasswordController, template },
);
