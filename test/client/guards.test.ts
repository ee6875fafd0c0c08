// The ui-router guards: a state that needs a login or 2FA asks the server (POST /api/loggedIn)
// and goes where it says instead.
import type { IQService, IRootScopeService } from 'angular';
import uiRouter, { type StateProvider, type StateService } from '@uirouter/angularjs';
import type { NextUrl } from '../../client/core/api.service';
import { redirectFor, registerGuards } from '../../client/core/guards';
import { NoticeService } from '../../client/core/notice.service';
import { angular, mockInjector } from './angular';

test('redirectFor: where each requirement sends each answer of the server', () => {
  expect(redirectFor('login', '/login')).toBe('login');
  expect(redirectFor('login', '/2fa')).toBeNull();
  expect(redirectFor('login', '/protected')).toBeNull();
  expect(redirectFor('2fa', '/login')).toBe('login');
  expect(redirectFor('2fa', '/2fa')).toBe('twofa');
  expect(redirectFor('2fa', '/protected')).toBeNull();
});

describe('transitions', () => {
  let $state: StateService;
  let $rootScope: IRootScopeService;
  let notice: NoticeService;
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
            ['login', undefined],
            ['twofa', 'login'],
            ['protected', '2fa'],
          ] as const) {
            $stateProvider.state({ name: state, url: `/${state}`, template: '<p></p>', data: requires ? { requires } : {} });
          }
        },
      ])
      .service('notice', NoticeService)
      .factory('api', [
        '$q',
        ($q: IQService) => ({
          loggedIn: () => {
            asked++;
            return answer instanceof Error ? $q.reject(answer) : $q.resolve(answer);
          },
        }),
      ])
      .run(registerGuards).name;
    const injector = mockInjector(name);
    $state = injector.get('$state');
    $rootScope = injector.get('$rootScope');
    notice = injector.get('notice');
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

  test('open states do not ask the server', () => {
    answer = '/login';
    expect(go('home')).toBe('home');
    expect(go('login')).toBe('login');
    expect(asked).toBe(0);
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
