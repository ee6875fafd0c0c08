import angular from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { Ng1StateDeclaration, StateProvider, StateService } from '@uirouter/angularjs';
import core from '../core/core.module';
import type { ApiService, ProtectedContent } from '../core/api.service';
import { errorMessage } from '../core/api.service';
import { RequestState } from '../core/request-state';
import template from './protected.html';

class ProtectedController {
  static $inject = ['api', '$state'];
  content?: ProtectedContent;
  loggingOut = false;
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
  ) {}

  $onInit(): void {
    this.state.run(this.api.getProtected(), (content) => {
      this.content = content;
    });
  }

  logout(): void {
    this.loggingOut = true;
    this.api
      .logout()
      .then(() => this.$state.go('home'))
      .catch((rejection: unknown) => this.state.fail(errorMessage(rejection)))
      .finally(() => {
        this.loggingOut = false;
      });
  }
}

const protectedState: Ng1StateDeclaration = {
  name: 'protected',
  url: '/protected',
  component: 'protectedPage',
  data: { requires: '2fa', title: 'Protected' },
};

/** `/protected`: content from the API, for sessions that passed 2FA; Logout. */
export default angular
  .module('app.protected', [uiRouter, core])
  .component('protectedPage', { controller: ProtectedController, template })
  .config(['$stateProvider', ($stateProvider: StateProvider) => $stateProvider.state(protectedState)]).name;
