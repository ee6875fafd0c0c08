import angular from 'angular';
import type { AccountSummary } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { pageModule } from '../core/page-module';
import { RequestState } from '../core/request-state';
import { activitySectionComponent } from './activity-section.component';
import { authenticatorSectionComponent } from './authenticator-section.component';
import { authenticatorSetupComponent } from './authenticator-setup.component';
import { browsersSectionComponent } from './browsers-section.component';
import { passkeyListComponent } from './passkey-list.component';
import { passwordSectionComponent } from './password-section.component';
import { phoneSectionComponent } from './phone-section.component';
import { recoverySectionComponent } from './recovery-section.component';
import { sessionsSectionComponent } from './sessions-section.component';
import template from './account.html';

class AccountController {
  static $inject = ['accountApi'];
  summary?: AccountSummary;
  /** Moves on with each change, so the activity list shows it. */
  version = 0;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  $onInit(): void {
    this.state.run(this.accountApi.summary(), (summary) => (this.summary = summary));
  }

  changed(): void {
    this.version++;
  }
}

/** `/account`: after 2FA, the person's password, phone, authenticator app, passkeys, recovery codes, browsers, sessions and activity. */
export default angular
  .module(
    pageModule(
      { name: 'account', url: '/account', component: 'accountPage', data: { requires: '2fa', title: 'Account' } },
      { controller: AccountController, template },
    ),
  )
  .component('passwordSection', passwordSectionComponent)
  .component('phoneSection', phoneSectionComponent)
  .component('authenticatorSection', authenticatorSectionComponent)
  .component('authenticatorSetup', authenticatorSetupComponent)
  .component('passkeyList', passkeyListComponent)
  .component('recoverySection', recoverySectionComponent)
  .component('browsersSection', browsersSectionComponent)
  .component('sessionsSection', sessionsSectionComponent)
  .component('activitySection', activitySectionComponent).name;
