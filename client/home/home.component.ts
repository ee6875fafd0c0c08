import angular from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { Ng1StateDeclaration, StateProvider } from '@uirouter/angularjs';
import template from './home.html';

const homeState: Ng1StateDeclaration = { name: 'home', url: '/', component: 'home' };

/** `/`: the two choices. */
export default angular
  .module('app.home', [uiRouter])
  .component('home', { template })
  .config(['$stateProvider', ($stateProvider: StateProvider) => $stateProvider.state(homeState)]).name;
