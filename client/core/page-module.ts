import angular from 'angular';
import type { IComponentOptions } from 'angular';
import uiRouter from '@uirouter/angularjs';
import type { Ng1StateDeclaration, StateProvider } from '@uirouter/angularjs';
import core from './core.module';

export type PageState = Ng1StateDeclaration & { name: string; component: string };

/** A page: its own module `app.<state>` with one component and the ui-router state that shows it. */
export function pageModule(state: PageState, component: IComponentOptions): string {
  return angular
    .module(`app.${state.name}`, [uiRouter, core])
    .component(state.component, component)
    .config(['$stateProvider', ($stateProvider: StateProvider) => $stateProvider.state(state)]).name;
}
