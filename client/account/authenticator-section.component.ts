import type { IComponentOptions } from 'angular';
import type { AccountSummary } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './authenticator-section.html';

class AuthenticatorSectionController {
  static $inject = ['accountApi'];
  summary!: AccountSummary;
  onChange?: () => void;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  reset(): void {
    this.state.run(this.accountApi.resetAuthenticator(), () => {
      // The new app's QR code shows below (<authenticator-setup>) until its first code.
      this.summary.authenticatorPending = true;
      this.state.succeed('The old app’s codes no longer work. Scan the new QR code below.');
      this.onChange?.();
    });
  }
}

/**
 * "Authenticator app". Verify: set one up (`<authenticator-setup>`, its QR code until its first
 * code), or reset it; Authy: its app enrols itself.
 */
export const authenticatorSectionComponent: IComponentOptions = {
  bindings: { summary: '<', onChange: '&?' },
  controller: AuthenticatorSectionController,
  template,
};
