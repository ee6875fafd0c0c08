import type { IComponentOptions } from 'angular';
import type { AccountSummary } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import type { Channel, PhoneNumber } from '../core/api.service';
import { DEFAULT_CALLING_CODE } from '../core/phone-fields.component';
import { RequestState } from '../core/request-state';
import template from './phone-section.html';

class PhoneSectionController {
  static $inject = ['accountApi'];
  summary!: AccountSummary;
  onChange?: () => void;
  /** 'show': the number; 'edit': the new number; 'code': the code sent to it. */
  step: 'show' | 'edit' | 'code' = 'show';
  phone: PhoneNumber = { country_code: DEFAULT_CALLING_CODE, phone_number: '' };
  via: Channel = 'sms';
  code = '';
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  edit(): void {
    this.step = 'edit';
    this.state.clear();
  }

  cancel(): void {
    this.step = 'show';
    this.code = '';
    this.state.clear();
  }

  send(): void {
    this.state.run(this.accountApi.startPhoneChange(this.phone, this.via), (sent) => {
      this.step = 'code';
      this.state.succeed(sent.message);
    });
  }

  verify(): void {
    this.state.run(this.accountApi.finishPhoneChange(this.code), (done) => {
      this.summary.phone = done.phone;
      this.step = 'show';
      this.code = '';
      this.state.succeed(`Your codes now go to ${done.phone}.`);
      this.onChange?.();
    });
  }
}

/** "Phone number": a new one, proven by a code sent to it. */
export const phoneSectionComponent: IComponentOptions = {
  bindings: { summary: '<', onChange: '&?' },
  controller: PhoneSectionController,
  template,
};
