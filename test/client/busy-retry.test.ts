// "Busy, retrying in N s": a 503 with Retry-After is sent once more after the wait, with a
// countdown under the header; a second refusal, or a wait too long, reaches the page.
import type { IHttpBackendService, IHttpService, IIntervalService } from 'angular';
import { registerBusyRetry } from '../../client/core/busy-retry';
import { NoticeService } from '../../client/core/notice.service';
import { angular, mockInjector, track } from './angular';

let $http: IHttpService;
let backend: IHttpBackendService;
let $interval: IIntervalService & { flush(ms: number): void };
let notice: NoticeService;
beforeEach(() => {
  const injector = mockInjector(angular.module('busyTest', []).service('notice', NoticeService).config(registerBusyRetry).name);
  $http = injector.get('$http');
  backend = injector.get('$httpBackend');
  $interval = injector.get('$interval');
  notice = injector.get('notice');
});
afterEach(() => {
  backend.verifyNoOutstandingExpectation();
  backend.verifyNoOutstandingRequest();
});

const BUSY = { error: 'The server is busy. Please try again in 3 seconds.' };

test('a 503 with Retry-After: 3 counts down 3, 2, 1 s, then is sent once more, and the retry answers', () => {
  backend.expectPOST('/api/login', { username: 'a', password: 'p' }).respond(503, BUSY, { 'Retry-After': '3' });
  const res = track($http.post('/api/login', { username: 'a', password: 'p' }));
  backend.flush();
  expect(notice.busy).toBe('The server is busy, retrying in 3 s…');
  $interval.flush(1000);
  expect(notice.busy).toBe('The server is busy, retrying in 2 s…');
  $interval.flush(1000);
  expect(notice.busy).toBe('The server is busy, retrying in 1 s…');
  backend.verifyNoOutstandingRequest(); // nothing sent before the wait is over
  backend.expectPOST('/api/login', { username: 'a', password: 'p' }).respond(200, { success: true });
  $interval.flush(1000);
  backend.flush();
  expect(res.value).toMatchObject({ status: 200, data: { success: true } });
  expect(notice.busy).toBe('');
});

test('a second 503 is final: the page gets it, with no third request', () => {
  backend.expectPOST('/api/user/register').respond(503, BUSY, { 'Retry-After': '1' });
  const res = track($http.post('/api/user/register', {}).catch((r: { status: number; data: unknown }) => r));
  backend.flush();
  backend.expectPOST('/api/user/register').respond(503, BUSY, { 'Retry-After': '1' });
  $interval.flush(1000);
  backend.flush();
  expect(res.value).toMatchObject({ status: 503, data: BUSY });
  expect(notice.busy).toBe('');
  $interval.flush(5000); // and nothing more is sent (afterEach checks)
});

test('not retried: a 503 without Retry-After, a wait over 30 s, other statuses, a request with its own timeout', () => {
  backend.expectPOST('/api/a').respond(503, { error: 'down' });
  backend.expectPOST('/api/b').respond(503, BUSY, { 'Retry-After': '31' });
  backend.expectPOST('/api/c').respond(429, { error: 'Too many attempts.' }, { 'Retry-After': '3' });
  backend.expectPOST('/api/d').respond(500, { error: 'x' }, { 'Retry-After': '3' });
  backend.expectPOST('/api/e').respond(503, BUSY, { 'Retry-After': '3' });
  const statuses = ['/api/a', '/api/b', '/api/c', '/api/d', '/api/e'].map((url) =>
    track($http.post(url, {}, url === '/api/e' ? { timeout: 20_000 } : {}).catch((r: { status: number }) => r.status)),
  );
  backend.flush();
  expect(statuses.map((s) => s.value)).toEqual([503, 503, 429, 500, 503]);
  expect(notice.busy).toBe('');
});
