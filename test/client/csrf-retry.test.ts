// The CSRF retry: a request refused for a stale token (the response carries a fresh one) is sent
// once more, and only once.
import type { IHttpBackendService, IHttpService } from 'angular';
import { registerCsrfRetry } from '../../client/core/csrf-retry';
import { angular, mockInjector, track } from './angular';

let $http: IHttpService;
let backend: IHttpBackendService;
beforeEach(() => {
  const injector = mockInjector(angular.module('csrfTest', []).config(registerCsrfRetry).name);
  $http = injector.get('$http');
  backend = injector.get('$httpBackend');
});
afterEach(() => {
  backend.verifyNoOutstandingExpectation();
  backend.verifyNoOutstandingRequest();
});

const REJECTED = { 'X-XSRF-Rejected': 'true' };

test('a 403 marked as a stale token is retried once and the retry answers', () => {
  backend.expectPOST('/api/accountsecurity/sms').respond(403, { error: 'stale' }, REJECTED);
  backend.expectPOST('/api/accountsecurity/sms').respond(200, { success: true });
  const res = track($http.post('/api/accountsecurity/sms', {}));
  backend.flush();
  expect(res.value).toMatchObject({ status: 200, data: { success: true } });
});

test('a second refusal is final: no loop', () => {
  backend.expectPOST('/api/login').respond(403, { error: 'stale' }, REJECTED);
  backend.expectPOST('/api/login').respond(403, { error: 'still stale' }, REJECTED);
  const res = track($http.post('/api/login', {}).catch((r: { status: number; data: unknown }) => r));
  backend.flush();
  expect(res.value).toMatchObject({ status: 403, data: { error: 'still stale' } });
});

test('other 403s and other errors are not retried', () => {
  backend.expectPOST('/api/protected').respond(403, { error: 'Please complete two-factor authentication first.' });
  backend.expectPOST('/api/login').respond(401, { error: 'Wrong username or password.' }, REJECTED);
  const a = track($http.post('/api/protected', {}).catch((r: { status: number }) => r.status));
  const b = track($http.post('/api/login', {}).catch((r: { status: number }) => r.status));
  backend.flush();
  expect(a.value).toBe(403);
  expect(b.value).toBe(401);
});
