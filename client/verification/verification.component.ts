import type { StateService } from '@uirouter/angularjs';
import { CHANNEL_NAMES } from '../../common/code-sent';
import { formatInternational, normalizePhone } from '../../common/phone-number';
import type { ApiService, Channel, PhoneNumber } from '../core/api.service';
import { DEFAULT_CALLING_CODE } from '../core/phone-fields.component';
import { RequestState } from '../core/request-state';
import template from './verification.html';
import { pageModule } from '../core/page-module';

class VerificationController {
  static $inject = ['api', '$state'];
  phone: PhoneNumber = { country_code: DEFAULT_CALLING_CODE, phone_number: '' };
  via: Channel = 'sms';
  code = '';
  /** True once a code was sent: the page asks for it. */
  sent = false;
  readonly state = new RequestState();
  readonly channelNames = CHANNEL_NAMES;

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

  /** The number as people read it, e.g. "+1 415 555 0100". */
  get number(): string {
    const check = normalizePhone(this.phone.country_code, this.phone.phone_number);
    return check.ok ? formatInternational(check.e164) : `+${this.phone.country_code} ${this.phone.phone_number}`;
  }

  check(): void {
    this.state.run(this.api.checkVerification(this.phone, this.code), () => void this.$state.go('verified', { phone: this.number }));
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
