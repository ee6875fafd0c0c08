import type { StateService } from '@uirouter/angularjs';
import type { ApiService, Channel, PhoneNumber } from '../core/api.service';
import { DEFAULT_COUNTRY_CODE } from '../core/country-codes';
import { RequestState } from '../core/request-state';
import template from './verification.html';
import { pageModule } from '../core/page-module';

class VerificationController {
  static $inject = ['api', '$state'];
  phone: PhoneNumber = { country_code: DEFAULT_COUNTRY_CODE, phone_number: '' };
  via: Channel = 'sms';
  code = '';
  /** True once a code was sent: the page asks for it. */
  sent = false;
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
  ) {}

  start(): void {
    this.state.run(this.api.startVerification(this.phone, this.via), (res) => {
      this.sent = true;
      this.code = '';
      this.state.succeed(res.message || 'Code sent.');
    });
  }

  check(): void {
    this.state.run(
      this.api.checkVerification(this.phone, this.code),
      () => void this.$state.go('verified', { phone: `+${this.phone.country_code} ${this.phone.phone_number}` }),
    );
  }

  changeNumber(): void {
    this.sent = false;
    this.state.clear();
  }
}

/** `/verification`: a phone number, a code by SMS or call, then the code. */
export default pageModule(
  {
    name: 'verification',
    url: '/verification',
    component: 'verification',
    data: { title: 'Phone Verification' },
  },
  { controller: VerificationController, template },
);
