import angular from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { Ng1StateDeclaration, StateProvider, StateService } from '@uirouter/angularjs';
import core from '../core/core.module';
import type { ApiService } from '../core/api.service';
import { RequestState } from '../core/request-state';
import template from './login.html';

class LoginController {
  static $inject = ['api', '$state'];
  username = '';
  password = '';
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly $state: StateService,
  ) {}

  submit(): void {
    this.state.run(this.api.login(this.username, this.password), () => this.$state.go('twofa'));
  }
}

const loginState: Ng1StateDeclaration = { name: 'login', url: '/login', component: 'login', data: { title: 'Log in' } };

/** `/login`: username and password; then the second factor. */
export default angular
  .module('app.login', [uiRouter, core])
  .component('login', { controller: LoginController, template })
  .config(['$stateProvider', ($stateProvider: StateProvider) => $stateProvider.state(loginState)]).name;
