// The SPA's passkey service: when passkeys can be offered, each ceremony's three steps (server
// options, the browser, the server's check), and what a refusal says. The browser's WebAuthn
// is a stand-in here; real Chromium runs it in test/browser/passkeys.test.ts.
import type { IHttpBackendService, IRootScopeService } from 'angular';
import { WebAuthnError } from '@simplewebauthn/browser';
import { ApiService } from '../../client/core/api.service';
import { passkeyErrorMessage, PasskeyService, type WebAuthnBrowser } from '../../client/core/passkeys.service';
import { SiteService } from '../../client/core/site.service';
import { angular, mockInjector, track } from './angular';

const ORIGIN = window.location.origin;

function setUp(browser: Partial<WebAuthnBrowser> = {}, passkeyOrigin: string | null = ORIGIN) {
  const fake: WebAuthnBrowser = {
    browserSupportsWebAuthn: () => true,
    startRegistration: () => Promise.reject(new Error('not expected')),
    startAuthentication: () => Promise.reject(new Error('not expected')),
    ...browser,
  };
  const injector = mockInjector(
    angular
      .module(`passkeysTest${Math.random()}`, [])
      .service('api', ApiService)
      .constant('siteInfo', { provider: 'authy', sandbox: true, passkeyOrigin })
      .service('site', SiteService)
      .constant('webAuthnBrowser', fake)
      .service('passkeys', PasskeyService).name,
  );
  return {
    passkeys: injector.get<PasskeyService>('passkeys'),
    backend: injector.get<IHttpBackendService>('$httpBackend'),
    $rootScope: injector.get<IRootScopeService>('$rootScope'),
  };
}

/** Lets the native promises of the stand-in settle, then runs a digest and answers requests. */
async function settle(backend: IHttpBackendService, $rootScope: IRootScopeService): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    $rootScope.$digest();
    try {
      backend.flush();
    } catch {
      // Nothing pending at this step.
    }
  }
}

describe('unavailableReason', () => {
  test.each([
    ['this origin, a browser with WebAuthn', ORIGIN, true, ''],
    ['another origin', 'http://localhost:1337', true, 'Passkeys work at http://localhost:1337, not at this address.'],
    ['passkeys off on the server', null, true, 'Passkeys are off on this server (its PUBLIC_URL is an IP address).'],
    ['a browser without WebAuthn', ORIGIN, false, 'This browser does not support passkeys.'],
  ])('%s', (_what, passkeyOrigin, supported, reason) => {
    const { passkeys, $rootScope } = setUp({ browserSupportsWebAuthn: () => supported }, passkeyOrigin);
    const answer = track(passkeys.unavailableReason());
    $rootScope.$digest();
    expect(answer.value).toBe(reason);
  });
});

test('sign-in: options from the server go to the browser, and its answer back to the server', async () => {
  const options = { challenge: 'c', rpId: 'localhost', userVerification: 'required' };
  const assertion = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {}, clientExtensionResults: {} };
  const seen: unknown[] = [];
  const { passkeys, backend, $rootScope } = setUp({
    startAuthentication: (args) => {
      seen.push(args);
      return Promise.resolve(assertion as never);
    },
  });
  backend.expectPOST('/api/passkeys/sign-in/options').respond(200, options);
  backend.expectPOST('/api/passkeys/sign-in', assertion).respond(200, { success: true });
  const done = track(passkeys.signIn());
  await settle(backend, $rootScope);
  expect(seen).toEqual([{ optionsJSON: options }]);
  expect(done).toEqual({ settled: true, value: undefined });
  backend.verifyNoOutstandingExpectation();
});

test('a refusal in the browser reaches no server, and reads as a sentence', async () => {
  const cause = Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' });
  const refused = new WebAuthnError({
    message: cause.message,
    code: 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY',
    cause,
    name: 'NotAllowedError',
  });
  const { passkeys, backend, $rootScope } = setUp({ startRegistration: () => Promise.reject(refused) });
  backend.expectPOST('/api/passkeys/registration/options').respond(200, { challenge: 'c' });
  const done = track(passkeys.register());
  await settle(backend, $rootScope);
  backend.verifyNoOutstandingExpectation();
  expect(done.error).toBe(refused);
  expect(passkeyErrorMessage(done.error)).toBe(
    'The passkey was not used: the request was cancelled, timed out, or your device could not check it was you.',
  );
});

test("passkeyErrorMessage: the browser's other refusals, and the server's sentences", () => {
  const named = (name: string) => Object.assign(new Error('x'), { name });
  expect(passkeyErrorMessage(named('InvalidStateError'))).toBe('This device already holds a passkey for this account.');
  expect(passkeyErrorMessage(named('SecurityError'))).toBe('Passkeys do not work at this address.');
  expect(passkeyErrorMessage(new Error('Something else'))).toBe('Something else');
  const http = { status: 401, data: { error: 'That passkey is not registered here.' }, headers: () => null, config: {}, statusText: '' };
  expect(passkeyErrorMessage(http)).toBe('That passkey is not registered here.');
});
