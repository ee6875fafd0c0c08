import type { HookResult, StateObject, StateService, Transition, TransitionService } from '@uirouter/angularjs';
import { RejectType } from '@uirouter/angularjs';
import type { NextUrl } from './api.service';
import { errorMessage } from './api.service';
import type { NoticeService } from './notice.service';
import type { SessionService } from './session.service';

/**
 * What a state needs, in its `data.requires`: 'login' (a session, 2FA may be pending), '2fa'
 * (2FA passed), or 'signed-out' (the login and registration forms: a signed-in person goes
 * where the login state says instead). The verified page has no client guard: the server
 * answers a direct load with a 302, and the app goes there only after a successful check.
 */
export type Requirement = 'login' | '2fa' | 'signed-out';

const REQUIREMENTS: readonly unknown[] = ['login', '2fa', 'signed-out'] satisfies Requirement[];

const STATE_FOR_URL: Record<NextUrl, string> = { '/protected': 'protected', '/2fa': 'twofa', '/login': 'login' };

/**
 * The pages a login comes back to after 2FA (`?next=` on /login and /2fa), by path: the
 * parameter can name nothing else, so it leads nowhere else.
 */
const RETURN_STATES: Record<string, string> = { '/protected': 'protected', '/account': 'account' };

/** The state `?next=` names, if it is one a login may come back to. */
export function returnState(next: unknown): string | undefined {
  return typeof next === 'string' && Object.hasOwn(RETURN_STATES, next) ? RETURN_STATES[next] : undefined;
}

/** The state to go to instead, or null to let the transition through. */
export function redirectFor(requires: Requirement, next: NextUrl): string | null {
  if (requires === 'signed-out') return next === '/login' ? null : STATE_FOR_URL[next];
  if (requires === 'login') return next === '/login' ? 'login' : null;
  return next === '/protected' ? null : (STATE_FOR_URL[next] ?? 'login');
}

function requirementOf(state: StateObject | undefined): Requirement | undefined {
  const data = state?.data as { requires?: unknown } | undefined;
  const requires = data?.requires;
  return REQUIREMENTS.includes(requires) ? (requires as Requirement) : undefined;
}

/** The path of a page that needs 2FA, so the login (or the fresh check) it is sent to comes back to it. */
export function returnPath(state: { name?: string }): string | undefined {
  return Object.keys(RETURN_STATES).find((path) => RETURN_STATES[path] === state.name);
}

/** Registers the guards and the one handler of failed transitions. */
export function registerGuards(
  $transitions: TransitionService,
  $state: StateService,
  session: SessionService,
  notice: NoticeService,
): void {
  $transitions.onBefore({ to: (state) => requirementOf(state) !== undefined }, (trans: Transition): HookResult => {
    const requires = requirementOf(trans.$to()) as Requirement;
    const decision = session.refresh().then((next) => {
      const target = redirectFor(requires, next);
      if (!target) return true;
      const back = requires === '2fa' ? returnPath(trans.$to()) : undefined;
      return trans.router.stateService.target(target, back ? { next: back } : {});
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
    notice.info = '';
    // The header shows who is signed in from the first page on, guarded or not.
    if (!session.known) session.refresh().catch(() => undefined);
  });

  // onError above reports failures; the default handler would log each a second time.
  $state.defaultErrorHandler(() => undefined);
}
registerGuards.$inject = ['$transitions', '$state', 'session', 'notice'];
