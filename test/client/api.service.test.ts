// The SPA's API service and its error sentences, against ngMock's $httpBackend.
import type { IHttpBackendService, IHttpResponse, IQService, IRootScopeService, auto } from 'angular';
import { ApiService, errorField, errorMessage, retryAfterSeconds } from '../../client/core/api.service';
import { angular, mockInjector, track } from './angular';

/** An $http rejection as AngularJS builds it. */
function rejection(status: number, data: unknown, headers: Record<string, string> = {}): IHttpResponse<unknown> {
  return {
    status,
    data,
    statusText: '',
    xhrStatus: 'complete',
    config: { method: 'POST', url: '/api/x' },
    headers: ((name?: string) => (name === undefined ? headers : (headers[name.toLowerCase()] ?? null))) as never,
  };
}

describe('errorMessage', () => {
  test("the server's sentence, for any 4xx", () => {
    expect(errorMessage(rejection(401, { error: 'Wrong username or password.' }))).toBe('Wrong username or password.');
    expect(errorMessage(rejection(409, { error: 'That username is already taken.', field: 'username' }))).toBe(
      'That username is already taken.',
    );
  });

  test("429: the server's sentence once (it says the wait); without one, the wait from Retry-After in minutes", () => {
    const said = 'Too many wrong codes. Try again in 15 minutes.';
    expect(errorMessage(rejection(429, { error: said }, { 'retry-after': '896' }))).toBe(said);
    expect(errorMessage(rejection(429, {}, { 'retry-after': '42' }))).toBe('Too many attempts. Try again in 1 minute.');
    const date = new Date(Date.now() + 890_500).toUTCString();
    expect(errorMessage(rejection(429, {}, { 'retry-after': date }))).toBe('Too many attempts. Try again in 15 minutes.');
    expect(errorMessage(rejection(429, {}))).toBe('Too many attempts. Please wait, then try again.');
  });

  test('no answer, a 5xx without a sentence, a 4xx without one, and non-HTTP errors', () => {
    expect(errorMessage(rejection(-1, null))).toBe('The server cannot be reached. Check your connection and try again.');
    expect(errorMessage(rejection(502, '<html>bad gateway</html>'))).toBe('The server had a problem (HTTP 502). Please try again later.');
    expect(errorMessage(rejection(404, null))).toBe('The request failed (HTTP 404).');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('??')).toBe('Something went wrong. Please try again.');
  });

  test('errorField names the field of a 400', () => {
    expect(errorField(rejection(400, { error: 'Email is not a valid address.', field: 'email' }))).toBe('email');
    expect(errorField(rejection(401, { error: 'x' }))).toBeUndefined();
    expect(errorField(new Error('x'))).toBeUndefined();
  });
});

test('retryAfterSeconds reads delta-seconds and HTTP dates, and nothing else', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(retryAfterSeconds('120', now)).toBe(120);
  expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
  expect(retryAfterSeconds('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(1);
  expect(retryAfterSeconds('soon', now)).toBeNull();
  expect(retryAfterSeconds(null, now)).toBeNull();
});

describe('ApiService', () => {
  let api: ApiService;
  let backend: IHttpBackendService;
  let injector: auto.IInjectorService;
  beforeEach(() => {
    injector = mockInjector(angular.module('apiTest', []).service('api', ApiService).name);
    api = injector.get<ApiService>('api');
    backend = injector.get('$httpBackend');
  });
  afterEach(() => {
    backend.verifyNoOutstandingExpectation();
    backend.verifyNoOutstandingRequest();
  });

  test('calls the paths of the original API with JSON bodies and returns the bodies', () => {
    backend.expectPOST('/api/login', { username: 'ada', password: 'pw' }).respond(200, { success: true });
    backend.expectPOST('/api/loggedIn').respond(200, { url: '/2fa' });
    backend.expectPOST('/api/verification/start', { country_code: '1', phone_number: '4155550100', via: 'call' }).respond(200, {
      success: true,
      message: 'Call to +1 415-…0100 initiated.',
    });
    const login = track(api.login('ada', 'pw'));
    const next = track(api.loggedIn());
    const started = track(api.startVerification({ country_code: '1', phone_number: '4155550100' }, 'call'));
    backend.flush();
    expect(login.value).toEqual({ success: true });
    expect(next.value).toBe('/2fa');
    expect(started.value).toMatchObject({ message: 'Call to +1 415-…0100 initiated.' });
  });

  test('pushStatus reads the status, pending when absent', () => {
    backend
      .expectPOST('/api/accountsecurity/onetouchstatus')
      .respond(200, { success: true, approval_request: { uuid: 'u', status: 'denied' } });
    backend.expectPOST('/api/accountsecurity/onetouchstatus').respond(200, { success: true, approval_request: { uuid: 'u' } });
    const first = track(api.pushStatus());
    const second = track(api.pushStatus());
    backend.flush();
    expect(first.value).toBe('denied');
    expect(second.value).toBe('pending');
  });

  test("pushStatus's abort ends the request unanswered (the poller's timeout)", () => {
    const $q = injector.get<IQService>('$q');
    backend.expectPOST('/api/accountsecurity/onetouchstatus').respond(200, { success: true, approval_request: { uuid: 'u' } });
    const abort = $q.defer<void>();
    const status = track(api.pushStatus(abort.promise));
    abort.resolve();
    injector.get<IRootScopeService>('$rootScope').$digest();
    expect(status.error).toMatchObject({ status: -1 });
    // Nothing left to flush: afterEach's verifyNoOutstandingRequest holds.
  });

  test('softTokenEnrolment reads the QR code of a soft token waiting for its first code, or null', () => {
    const enrol = { qr_code: 'data:image/png;base64,AAAA', otpauth_url: 'otpauth://totp/x?secret=ABC' };
    backend.expectGET('/api/accountsecurity/softtoken').respond(200, { enrol });
    backend.expectGET('/api/accountsecurity/softtoken').respond(200, { enrol: null });
    const waiting = track(api.softTokenEnrolment());
    const none = track(api.softTokenEnrolment());
    backend.flush();
    expect(waiting.value).toEqual(enrol);
    expect(none.value).toBeNull();
  });

  test('the authenticator app is set up with a POST of its first code; logout is a POST (CSRF-checked)', () => {
    backend.expectPOST('/api/accountsecurity/softtoken', { token: '123456' }).respond(200, { success: true });
    backend.expectPOST('/api/logout').respond(200, { success: true });
    const enrolled = track(api.enrolSoftToken('123456'));
    const out = track(api.logout());
    backend.flush();
    expect(enrolled.value).toEqual({ success: true });
    expect(out.value).toEqual({ success: true });
  });

  test('a refusal rejects with the response, which errorMessage turns into a sentence', () => {
    const said = 'Too many codes sent to this number. Try again in 14 minutes.';
    backend.expectPOST('/api/accountsecurity/sms').respond(429, { error: said }, { 'Retry-After': '801' });
    const sms = track(api.requestSms().catch((r: unknown) => errorMessage(r)));
    backend.flush();
    expect(sms.value).toBe(said);
  });
});
