import { RESET_LINK_MINUTES } from '../../common/account-rules';
import type { ApiService } from '../core/api.service';
import { RequestState } from '../core/request-state';
import { pageModule } from '../core/page-module';
import template from './forgot-password.html';

class ForgotPasswordController {
  static $inject = ['api'];
  email = '';
  /** The server's answer, the same whether or not an account has the address. */
  sent = '';
  readonly state = new RequestState();
  readonly minutes = RESET_LINK_MINUTES;

  constructor(private readonly api: ApiService) {}

  submit(): void {
    this.state.run(this.api.forgotPassword(this.email), (answer) => {
      this.sent = answer.message;
    });
  }
}

/** `/forgot-password`: the email given at registration gets a one-time link to choose a new password. */
export default pageModule(
  { name: 'forgotPassword', url: '/forgot-password', component: 'forgotPassword', data: { title: 'Forgot password' } },
  { controller: ForgotPasswordController, template },
);
