import type { IComponentOptions } from 'angular';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './password-section.html';

const many = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

class PasswordSectionController {
  static $inject = ['accountApi'];
  current = '';
  next = '';
  again = '';
  onChange?: () => void;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  submit(): void {
    if (this.next !== this.again) return this.state.fail('The two new passwords differ.', 'new_password2');
    this.state.run(this.accountApi.changePassword(this.current, this.next), (done) => {
      this.current = this.next = this.again = '';
      this.state.succeed(
        `Password changed. ${many(done.sessionsEnded, 'other session')} signed out, ${many(done.browsersForgotten, 'remembered browser')} forgotten.`,
      );
      this.onChange?.();
    });
  }
}

/** "Password": the current one and a new one; the other sessions end and remembered browsers are forgotten. */
export const passwordSectionComponent: IComponentOptions = {
  bindings: { onChange: '&?' },
  controller: PasswordSectionController,
  template,
};
