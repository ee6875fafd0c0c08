import type { IWindowService } from 'angular';
import type { Transition, TransitionService } from '@uirouter/angularjs';

const APP_NAME = 'Account Security Quickstart';

/** Sets the document title from the entered state's `data.title`. */
export function registerPageTitle($transitions: TransitionService, $window: IWindowService): void {
  $transitions.onSuccess({}, (trans: Transition) => {
    const data = trans.$to().data as { title?: unknown } | undefined;
    const title = data?.title;
    $window.document.title = typeof title === 'string' ? `${title} · ${APP_NAME}` : APP_NAME;
  });
}
registerPageTitle.$inject = ['$transitions', '$window'];
