// "Set up an authenticator app" on /account: hidden with nothing to set up; "confirm it is you
// first" without a fresh check; after one, the QR code and its first code.
import type { IHttpResponse, IQService, IRootScopeService } from 'angular';
import type { ApiService, SoftTokenEnrolment } from '../../client/core/api.service';
import type { PasskeyService } from '../../client/core/passkeys.service';
import { AuthenticatorSetupController } from '../../client/account/authenticator-setup.controller';
import { mockInjector } from './angular';

const enrolment: SoftTokenEnrolment = { qr_code: 'data:image/png;base64,AAAA', otpauth_url: 'otpauth://totp/x?secret=ABC' };

function refusal(status: number, data: object): IHttpResponse<unknown> {
  return {
    status,
    data,
    statusText: '',
    xhrStatus: 'complete',
    config: { method: 'GET', url: '/api/accountsecurity/softtoken' },
    headers: (() => null) as never,
  };
}
const recheck = () => refusal(403, { error: 'Please confirm it is you first, with a passkey or your second factor.', field: 'recheck' });

test('nothing to set up (Authy, or set up already): the section stays hidden', () => {
  const injector = mockInjector();
  const $q = injector.get<IQService>('$q');
  const api = { softTokenEnrolment: () => $q.resolve(null), hasPasskey: () => $q.resolve(false) } as unknown as ApiService;
  const passkeys = { unavailableReason: () => $q.resolve('') } as unknown as PasskeyService;
  const setupSection = new AuthenticatorSetupController(api, passkeys);
  setupSection.$onInit();
  injector.get<IRootScopeService>('$rootScope').$digest();
  expect(setupSection.step).toBe('hidden');
});

test('no fresh check: "confirm it is you"; after a passkey check, the QR code; its first code sets the app up', () => {
  const injector = mockInjector();
  const $q = injector.get<IQService>('$q');
  const $rootScope = injector.get<IRootScopeService>('$rootScope');
  let fresh = false;
  const sent: string[] = [];
  const api = {
    softTokenEnrolment: () => (fresh ? $q.resolve(enrolment) : $q.reject(recheck())),
    hasPasskey: () => $q.resolve(true),
    enrolSoftToken: (token: string) => $q.resolve(void sent.push(token)).then(() => ({ success: true })),
  } as unknown as ApiService;
  const passkeys = { unavailableReason: () => $q.resolve(''), check: () => $q.resolve(void (fresh = true)) } as unknown as PasskeyService;

  const section = new AuthenticatorSetupController(api, passkeys);
  section.$onInit();
  $rootScope.$digest();
  expect(section.step).toBe('recheck');
  expect(section.passkeyOffered).toBe(true);

  section.confirmWithPasskey();
  $rootScope.$digest();
  expect(section.step).toBe('ready');
  expect(section.enrolment).toEqual(enrolment);

  section.token = '123456';
  section.submit();
  $rootScope.$digest();
  expect(sent).toEqual(['123456']);
  expect(section.step).toBe('done');
  expect(section.state.ok).toMatch(/set up/);
});

test('a wrong code says so and keeps the QR code; a check that lapsed meanwhile asks for a new one', () => {
  const injector = mockInjector();
  const $q = injector.get<IQService>('$q');
  const $rootScope = injector.get<IRootScopeService>('$rootScope');
  let answer = refusal(401, { error: 'That token is not valid.', field: 'token' });
  const api = {
    softTokenEnrolment: () => $q.resolve(enrolment),
    hasPasskey: () => $q.resolve(false),
    enrolSoftToken: () => $q.reject(answer),
  } as unknown as ApiService;
  const passkeys = { unavailableReason: () => $q.resolve('') } as unknown as PasskeyService;
  const section = new AuthenticatorSetupController(api, passkeys);
  section.$onInit();
  $rootScope.$digest();
  section.submit();
  $rootScope.$digest();
  expect(section.state.error).toBe('That token is not valid.');
  expect(section.step).toBe('ready');

  answer = recheck();
  section.submit();
  $rootScope.$digest();
  expect(section.step).toBe('recheck');
  expect(section.passkeyOffered).toBe(false);
});
