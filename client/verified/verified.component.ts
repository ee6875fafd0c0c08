import angular from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { Ng1StateDeclaration, StateProvider, Transition } from '@uirouter/angularjs';
import template from './verified.html';

/**
 * No client guard: the server answers a direct load without a verified phone with a 302, and
 * the app comes here only after a successful check.
 */
const verifiedState: Ng1StateDeclaration = {
  name: 'verified',
  url: '/verified',
  component: 'verified',
  params: { phone: { value: null, type: 'any' } },
  resolve: { phone: ['$transition$', (trans: Transition): unknown => trans.params().phone] },
  data: { title: 'Phone verified' },
};

/** `/verified`: the success page. */
export default angular
  .module('app.verified', [uiRouter])
  .component('verified', { bindings: { phone: '<' }, template })
  .config(['$stateProvider', ($stateProvider: StateProvider) => $stateProvider.state(verifiedState)]).name;
