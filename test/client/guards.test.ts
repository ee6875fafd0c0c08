// The ui-router guards: a state that needs a login or 2FA asks the server (POST /api/loggedIn)
// and goes where it says instead.
import type { IQService, IRootScopeService } from 'angular';
import uiRouter, { type StateProvider, type StateService } from '@uirouter/angularjs';
import type { NextUrl } from '../../client/core/api.service';
import { redirectFor, registerGuards, returnState } from '../../client/core/guards';
import { NoticeService } from '../../client/core/notice.service';
import { SessionService } from '../../client/core/session.service';
import { angular, mockInjector } from './angular';

test('redirectFor: where each requirement sends each answer of the server', () => {
  expect(redirectFor('login', '/login')).toBe('login');
  expect(redirectFor('login', '/2fa')).toBeNull();
  expect(redirectFor('login', '/protected')).toBeNull();
  expect(redirectFor('2fa', '/login')).toBe('login');
  expect(redirectFor('2fa', '/2fa')).toBe('twofa');
  expect(redirectFor('2fa', '/protected')).toBeNull();
  expect(redirectFor('signed-out', '/login')).toBeNull();
  expect(redirectFor('signed-out', '/2fa')).toBe('twofa');
  expect(redirectFor('signed-out', '/protected')).toBe('protected');
});

test('returnState: ?next= names only a page a login may come back to', () => {
  expect(returnState('/protected')).toBe('protected');
  expect(returnState('/account')).toBe('account');
  for (const other of ['https://example.com/', '//example.com', '/2fa', 'protected', 'account', 'constructor', '__proto__', undefined, 3]) {
    expect(returnState(other)).toBeUndefined();
  }
});

describe('transitions', () => {
  let $state: StateService;
  let $rootScope: IRootScopeService;
  let notice: NoticeService;
  let session: SessionService;
  let answer: NextUrl | Error;
  let asked = 0;

  beforeEach(() => {
    asked = 0;
    const name = angular
      .module('guardsTest', [uiRouter])
      .config([
        '$stateProvider',
        ($stateProvider: StateProvider) => {
          for (const [state, requires] of [
            ['home', undefined],
            ['login', 'signed-out'],
            ['twofa', 'login'],
            ['protected', '2fa'],
          ] as const) {
            const url = `/${state}${state === 'login' || state === 'twofa' ? '?next' : ''}`;
            $stateProvider.state({ name: state, url, template: '<p></p>', data: requires ? { requires } : {} });
          }
        },
      ])
      .service('notice', NoticeService)
      .service('session', SessionService)
      .factory('api', [
        '$q',
        ($q: IQService) => ({
          loginState: () => {
            asked++;
            return answer instanceof Error ? $q.reject(answer) : $q.resolve({ url: answer, username: 'alice' });
          },
        }),
      ])
      .run(registerGuards).name;
    const injector = mockInjector(name);
    $state = injector.get('$state');
    $rootScope = injector.get('$rootScope');
    notice = injector.get('notice');
    session = injector.get('session');
  });

  const go = (state: string) => {
    $state.go(state).catch(() => undefined);
    $rootScope.$digest();
    return $state.current.name;
  };

  test('/protected with 2FA pending lands on /2fa; with 2FA passed it opens', () => {
    answer = '/2fa';
    expect(go('protected')).toBe('twofa');
    answer = '/protected';
    expect(go('protected')).toBe('protected');
  });

  test('a visitor without a login is sent to /login from /2fa and /protected', () => {
    answer = '/login';
    expect(go('twofa')).toBe('login');
    expect(go('protected')).toBe('login');
  });

  test('a page that needs 2FA sends the visitor to log in, then to /2fa, with the way back', () => {
    answer = '/login';
    expect(go('protected')).toBe('login');
    expect($state.params.next).toBe('/protected');
    answer = '/2fa';
    expect(go('protected')).toBe('twofa');
    expect($state.params.next).toBe('/protected');
  });

  test('the login form takes a signed-in person where the login state says', () => {
    answer = '/2fa';
    expect(go('login')).toBe('twofa');
    answer = '/protected';
    expect(go('login')).toBe('protected');
    answer = '/login';
    expect(go('login')).toBe('login');
  });

  test('an open first page asks once who is signed in; later open pages do not ask', () => {
    answer = '/protected';
    expect(go('home')).toBe('home');
    expect(asked).toBe(1);
    expect(session.username).toBe('alice');
    expect(session.signedIn).toBe(true);
    expect(go('home')).toBe('home');
    expect(asked).toBe(1);
  });

  test('a failed check keeps the page and says why', () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    answer = new Error('The server cannot be reached.');
    go('home');
    expect(go('protected')).toBe('home');
    expect(notice.message).toBe('This page could not be opened: The server cannot be reached.');
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
    answer = '/protected';
    expect(go('protected')).toBe('protected');
    expect(notice.message).toBe('');
  });
});
