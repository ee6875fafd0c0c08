// The passkey list on /account: Remove (and Add) may answer "confirm it is you first"; the
// list then offers the check, and after it the action goes through.
import type { IHttpResponse, IQService, IRootScopeService } from 'angular';
import type { PasskeySummary } from '../../common/passkey-info';
import type { ApiService } from '../../client/core/api.service';
import type { PasskeyService } from '../../client/core/passkeys.service';
import { PasskeyListController } from '../../client/account/passkey-list.controller';
import { mockInjector } from './angular';

const laptop: PasskeySummary = { id: 'AAAA', name: 'Laptop', createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, synced: false };

function recheckRefusal(): IHttpResponse<unknown> {
  return {
    status: 403,
    data: { error: 'Please confirm it is you first, with a passkey or your second factor.', field: 'recheck' },
    statusText: '',
    xhrStatus: 'complete',
    config: { method: 'DELETE', url: '/api/passkeys/AAAA' },
    headers: (() => null) as never,
  };
}

test('a stale check: Remove offers the check; after a passkey check, Remove goes through', () => {
  const injector = mockInjector();
  const $q = injector.get<IQService>('$q');
  const $rootScope = injector.get<IRootScopeService>('$rootScope');
  let fresh = false;
  const removed: string[] = [];
  const api = {
    listPasskeys: () => $q.resolve({ passkeys: [laptop], max: 10 }),
    removePasskey: (id: string) => (fresh ? $q.resolve(void removed.push(id)) : $q.reject(recheckRefusal())),
  } as unknown as ApiService;
  const passkeys = {
    unavailableReason: () => $q.resolve(''),
    check: () => $q.resolve(void (fresh = true)),
  } as unknown as PasskeyService;

  const list = new PasskeyListController(api, passkeys);
  list.$onInit();
  $rootScope.$digest();
  expect(list.list).toEqual([laptop]);
  expect(list.needsCheck).toBe(false);

  list.remove(laptop);
  $rootScope.$digest();
  expect(list.needsCheck).toBe(true);
  expect(list.state.error).toBe('Please confirm it is you first, with a passkey or your second factor.');
  expect(list.list).toEqual([laptop]);

  list.confirmWithPasskey();
  $rootScope.$digest();
  expect(list.needsCheck).toBe(false);
  expect(list.state.ok).toBe('Thank you. You can now add or remove passkeys.');

  list.remove(laptop);
  $rootScope.$digest();
  expect(removed).toEqual(['AAAA']);
  expect(list.list).toEqual([]);
  expect(list.state.ok).toBe('“Laptop” removed.');
});
