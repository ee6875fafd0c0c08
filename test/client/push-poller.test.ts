// The push poller's schedule, driven by a fake clock: a poll at 5, 10, …, 60 s from the push,
// whatever the answers' timing, and a countdown that shows the real time left.
import type { IQService, IRootScopeService, ITimeoutService } from 'angular';
import type { ApprovalStatus } from '../../common/approval-status';
import { PushPoller, type PushOutcome } from '../../client/twofa/push-poller';
import { angular } from './angular';

let $q: IQService;
let $timeout: ITimeoutService;
let $rootScope: IRootScopeService;
let start: number;

beforeEach(() => {
  jest.useFakeTimers();
  start = Date.now();
  // The real $timeout (window.setTimeout underneath), so Jest's clock drives it.
  const injector = angular.injector(['ng']);
  $q = injector.get('$q');
  $timeout = injector.get('$timeout');
  $rootScope = injector.get('$rootScope');
});
afterEach(() => jest.useRealTimers());

/** A poller whose status requests are recorded with their time, answered by `answer`. */
function poller(answer: (n: number) => ApprovalStatus | { status: number } | 'never') {
  const polls: number[] = [];
  const outcomes: { outcome: PushOutcome; message?: string }[] = [];
  const p = new PushPoller(
    $timeout,
    () => {
      polls.push(Date.now() - start);
      const a = answer(polls.length);
      if (a === 'never') return $q.defer<ApprovalStatus>().promise;
      // Rejections shaped as $http's: status, body, headers.
      return typeof a === 'string' ? $q.resolve(a) : $q.reject({ ...a, data: { error: `Refused (${a.status}).` }, headers: () => null });
    },
    (outcome, message) => outcomes.push({ outcome, message }),
  );
  return { p, polls, outcomes };
}

const seconds = (ms: number) => ms / 1000;

test('12 polls at 5 s multiples, then a timeout', () => {
  const { p, polls, outcomes } = poller(() => 'pending');
  p.start();
  jest.advanceTimersByTime(61_000);
  expect(polls.map(seconds)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
  expect(outcomes).toEqual([{ outcome: 'timeout', message: undefined }]);
  expect(p.waiting).toBe(false);
});

test('fixed rate: an answer that never comes does not delay the next poll', () => {
  const { p, polls } = poller((n) => (n === 2 ? 'never' : 'pending'));
  p.start();
  jest.advanceTimersByTime(30_000);
  expect(polls.map(seconds)).toEqual([5, 10, 15, 20, 25, 30]);
  p.stop();
});

test('a final answer stops polling at once', () => {
  const { p, polls, outcomes } = poller((n) => (n === 3 ? 'approved' : 'pending'));
  p.start();
  jest.advanceTimersByTime(60_000);
  expect(polls.map(seconds)).toEqual([5, 10, 15]);
  expect(outcomes).toEqual([{ outcome: 'approved', message: undefined }]);
});

test('a passing failure (503, network) waits for the next poll; a 401 ends with its message', () => {
  const transient = poller((n) => (n === 1 ? { status: 503 } : n === 2 ? { status: -1 } : 'denied'));
  transient.p.start();
  jest.advanceTimersByTime(20_000);
  expect(transient.polls.map(seconds)).toEqual([5, 10, 15]);
  expect(transient.outcomes.map((o) => o.outcome)).toEqual(['denied']);

  const fatal = poller(() => ({ status: 401 }));
  start = Date.now();
  fatal.p.start();
  jest.advanceTimersByTime(20_000);
  expect(fatal.polls.map(seconds)).toEqual([5]);
  expect(fatal.outcomes).toEqual([{ outcome: 'error', message: 'Refused (401).' }]);
});

test('the countdown shows the real time left and does not reach 0 while the last poll is due', () => {
  const { p } = poller(() => 'never');
  p.start();
  expect(p.secondsLeft).toBe(60);
  jest.advanceTimersByTime(1_000);
  expect(p.secondsLeft).toBe(59);
  jest.advanceTimersByTime(33_500);
  expect(p.secondsLeft).toBe(26); // 34.5 s gone
  jest.advanceTimersByTime(25_500);
  expect(p.secondsLeft).toBe(1); // 60 s: the last poll went out, its answer is still due
  jest.advanceTimersByTime(10_000);
  expect(p.secondsLeft).toBe(1);
  expect(p.waiting).toBe(true);
  p.stop();
});

test('a late answer from a stopped run is ignored; start() begins a new schedule', () => {
  let release: ((s: ApprovalStatus) => void) | undefined;
  const outcomes: PushOutcome[] = [];
  const p = new PushPoller(
    $timeout,
    () => {
      const d = $q.defer<ApprovalStatus>();
      release ??= (s) => d.resolve(s);
      return d.promise;
    },
    (o) => outcomes.push(o),
  );
  p.start();
  jest.advanceTimersByTime(5_000);
  p.start();
  release!('approved');
  $rootScope.$digest();
  expect(outcomes).toEqual([]);
  expect(p.waiting).toBe(true);
  p.stop();
});
