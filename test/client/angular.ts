// AngularJS in Jest (jsdom): the real angular and ngMock, loaded once per test file.
import angular from 'angular';
import 'angular-mocks';

export { angular };

/** An injector for `modules` with ngMock ($httpBackend, a flushable $timeout) loaded first. */
export function mockInjector(...modules: (string | ((...args: never[]) => void))[]): angular.auto.IInjectorService {
  return angular.injector(['ng', 'ngMock', ...modules]);
}

export interface Tracked<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

/** Records how a $q promise settles (it settles in a digest, such as $httpBackend.flush() runs). */
export function track<T>(promise: PromiseLike<T>): Tracked<T> {
  const t: Tracked<T> = { settled: false };
  promise.then(
    (value) => Object.assign(t, { settled: true, value }),
    (error: unknown) => Object.assign(t, { settled: true, error }),
  );
  return t;
}
