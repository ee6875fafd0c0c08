import type { HookResult, StateObject, StateService, Transition, TransitionService } from '@uirouter/angularjs';
import { RejectType } from '@uirouter/angularjs';
import type { ApiService, NextUrl } from './api.service';
import { errorMessage } from './api.service';
import type { NoticeService } from './notice.service';

/**
 * What a state needs, in its `data.requires`: 'login' (a session, 2FA may be pending) or
 * '2fa' (2FA passed). The verified page has no client guard: the server answers a direct load
 * with a 302, and the app goes there only after a successful check.
 */
export type Requirement = 'login' | '2fa';

const STATE_FOR_URL: Record<NextUrl, string> = { '/protected': 'protected', '/2fa': 'twofa', '/login': 'login' };

/** The state to go to instead, or null to let the transition through. */
export function redirectFor(requires: Requirement, next: NextUrl): string | null {
  if (requires === 'login') return next === '/login' ? 'login' : null;
  return next === '/protected' ? null : (STATE_FOR_URL[next] ?? 'login');
}

function requirementOf(state: StateObject | undefined): Requirement | undefined {
  const data = state?.data as { requires?: unknown } | undefined;
  const requires = data?.requires;
  return requires === 'login' || requires === '2fa' ? requires : undefined;
}

/** Registers the guards and the one handler of failed transitions. */
export function registerGuards($transitions: TransitionService, $state: StateService, api: ApiService, notice: NoticeService): void {
  $transitions.onBefore({ to: (state) => requirementOf(state) !== undefined }, (trans: Transition): HookResult => {
    const requires = requirementOf(trans.$to()) as Requirement;
    const decision = api.loggedIn().then((next) => {
      const target = redirectFor(requires, next);
      return target ? trans.router.stateService.target(target) : true;
    });
    // A $q promise (keeps the digest in step); ui-router accepts any thenable.
    return decision as unknown as HookResult;
  });

  $transitions.onError({}, (trans: Transition) => {
    const rejection = trans.error();
    // Superseded (incl. redirected), ignored or aborted transitions are normal, not failures.
    if (rejection.type !== RejectType.ERROR && rejection.type !== RejectType.INVALID) return;
    notice.message = `This page could not be opened: ${errorMessage(rejection.detail)}`;
    console.error('transition failed', rejection);
  });
  $transitions.onSuccess({}, () => {
    notice.message = '';
  });

  // onError above reports failures; the default handler would log each a second time.
  $state.defaultErrorHandler(() => undefined);
}
registerGuards.$inject = ['$transitions', '$state', 'api', 'notice'];
