// The passkey list on /account: Remove asks first; Remove (and Add) may answer "confirm it is
// you first"; after the check, here or on /2fa, the action finishes by itself.
import type { IHttpResponse, IQService, IRootScopeService } from 'angular';
import type { StateService } from '@uirouter/angularjs';
import type { PasskeySummary } from '../../common/passkey-info';
import type { ApiService } from '../../client/core/api.service';
import { PendingActionService } from '../../client/core/pending-action.service';
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

function setUp() {
  const injector = mockInjector();
  const $q = injector.get<IQService>('$q');
  const $rootScope = injector.get<IRootScopeService>('$rootScope');
  const world = { fresh: false, removed: [] as string[], listed: 0, wentTo: [] as unknown[], stored: [laptop] };
  const api = {
    listPasskeys: () => {
      world.listed++;
      return $q.resolve({ passkeys: world.stored, max: 10 });
    },
    removePasskey: (id: string) => {
      if (!world.fresh) return $q.reject(recheckRefusal());
      world.removed.push(id);
      world.stored = world.stored.filter((p) => p.id !== id);
      return $q.resolve();
    },
  } as unknown as ApiService;
  const passkeys = {
    unavailableReason: () => $q.resolve(''),
    check: () => $q.resolve(void (world.fresh = true)),
  } as unknown as PasskeyService;
  const $state = { go: (...args: unknown[]) => void world.wentTo.push(args) } as unknown as StateService;
  const pending = new PendingActionService();
  const newList = () => {
    const list = new PasskeyListController(api, passkeys, $state, pending);
    list.$onInit();
    $rootScope.$digest();
    return list;
  };
  const digest = () => $rootScope.$digest();
  return { world, newList, digest, pending };
}

test('Remove asks first: Keep it keeps it, and nothing is sent', () => {
  const { world, newList } = setUp();
  world.fresh = true;
  const list = newList();
  list.remove(laptop);
  expect(list.confirming).toBe('AAAA');
  list.keep();
  expect(list.confirming).toBeUndefined();
  expect(world.removed).toEqual([]);
  expect(list.list).toEqual([laptop]);
});

test('a stale check: Remove offers the check; after a passkey check the removal finishes by itself', () => {
  const { world, newList, digest } = setUp();
  const list = newList();
  expect(list.list).toEqual([laptop]);
  expect(list.needsCheck).toBe(false);

  list.remove(laptop);
  list.confirmRemove(laptop);
  digest();
  expect(list.needsCheck).toBe(true);
  expect(list.state.error).toBe('Please confirm it is you first, with a passkey or your second factor.');
  expect(list.list).toEqual([laptop]);

  list.confirmWithPasskey();
  digest();
  // No second press: the check is followed by the removal, then the list again.
  expect(world.removed).toEqual(['AAAA']);
  expect(list.list).toEqual([]);
  expect(list.state.ok).toBe('“Laptop” removed.');
  expect(world.listed).toBe(2);
});

test('Confirm with 2FA: /2fa is told why, and back on /account the removal finishes by itself', () => {
  const { world, newList, digest, pending } = setUp();
  const list = newList();
  list.remove(laptop);
  list.confirmRemove(laptop);
  digest();
  expect(list.needsCheck).toBe(true);
  list.confirmWith2fa();
  expect(world.wentTo).toEqual([['twofa', { next: '/account', why: 'remove-passkey' }]]);
  expect(pending.action).toEqual({ kind: 'remove', id: 'AAAA', name: 'Laptop' });

  // The check passed on /2fa; /account opens again with a new list.
  world.fresh = true;
  const back = newList();
  expect(world.removed).toEqual(['AAAA']);
  expect(back.list).toEqual([]);
  expect(back.state.ok).toBe('“Laptop” removed.');
  expect(pending.action).toBeUndefined();
});
