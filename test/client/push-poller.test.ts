// The push poller's schedule, driven by a fake clock: a poll at 5, 10, …, 60 s from the push
// while answers are quick, never two requests out at once, and a countdown of the real time left.
import type { IDeferred, IQService, IRootScopeService, ITimeoutService } from 'angular';
import type { ApprovalStatus } from '../../common/approval-status';
import { POLL_TIMED_OUT, PushPoller, PUSH_POLL_TIMEOUT_MS, type PushOutcome } from '../../client/twofa/push-poller';
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

type Answer = ApprovalStatus | { status: number } | 'never' | 'later';

/**
 * A poller whose status requests are recorded with their time, answered by `answer`: 'later'
 * leaves the answer to the test (`later[n]`, resolved with `answer()`), 'never' never comes.
 */
function poller(answer: (n: number) => Answer) {
  const polls: number[] = [];
  const aborted: number[] = [];
  const later: IDeferred<ApprovalStatus>[] = [];
  const outcomes: { outcome: PushOutcome; message?: string }[] = [];
  const p = new PushPoller(
    $q,
    $timeout,
    (abort) => {
      polls.push(Date.now() - start);
      const n = polls.length;
      void abort.then(() => aborted.push(n));
      const a = answer(n);
      if (a === 'never' || a === 'later') {
        const d = $q.defer<ApprovalStatus>();
        later[n] = d;
        return d.promise;
      }
      // Rejections shaped as $http's: status, body, headers.
      return typeof a === 'string' ? $q.resolve(a) : $q.reject({ ...a, data: { error: `Refused (${a.status}).` }, headers: () => null });
    },
    (outcome, message) => outcomes.push({ outcome, message }),
  );
  /** Answers poll `n` now. */
  const reply = (n: number, status: ApprovalStatus) => {
    later[n].resolve(status);
    $rootScope.$digest();
  };
  return { p, polls, aborted, outcomes, reply };
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

test('a slow answer holds the next poll; past its time, the next goes when the answer comes', () => {
  const { p, polls, reply } = poller((n) => (n === 1 ? 'later' : 'pending'));
  p.start();
  jest.advanceTimersByTime(11_000);
  expect(polls.map(seconds)).toEqual([5]); // the 10 s poll waits for the 5 s one
  reply(1, 'pending');
  expect(polls.map(seconds)).toEqual([5, 11]);
  jest.advanceTimersByTime(9_000);
  expect(polls.map(seconds)).toEqual([5, 11, 15, 20]); // back on the 5 s rhythm
  p.stop();
});

test(`a poll unanswered after ${PUSH_POLL_TIMEOUT_MS / 1000} s is aborted and polling goes on; the last one's ends the wait as an error`, () => {
  const { p, polls, aborted, outcomes } = poller(() => 'never');
  p.start();
  jest.advanceTimersByTime(64_999);
  // 5 s, then at each abort; the one out at the 60 s mark is the last.
  expect(polls.map(seconds)).toEqual([5, 25, 45]);
  expect(aborted).toEqual([1, 2]);
  expect(outcomes).toEqual([]);
  expect(p.secondsLeft).toBe(1);
  jest.advanceTimersByTime(1);
  expect(aborted).toEqual([1, 2, 3]);
  expect(outcomes).toEqual([{ outcome: 'error', message: POLL_TIMED_OUT }]);
  expect(p.waiting).toBe(false);
});

test('a check waits for the poll out, and the polls that come due wait for the check', () => {
  const { p, polls, reply } = poller((n) => (n === 1 ? 'later' : 'pending'));
  p.start();
  jest.advanceTimersByTime(7_000);
  let checkSentAt: number | undefined;
  const check = $q.defer<string>();
  const checked = p.exclusive(() => {
    checkSentAt = Date.now() - start;
    return check.promise;
  });
  jest.advanceTimersByTime(1_000);
  expect(checkSentAt).toBeUndefined();
  reply(1, 'pending');
  expect(checkSentAt).toBe(8_000);
  jest.advanceTimersByTime(9_000); // 17 s: the 10 s and 15 s polls wait
  expect(polls.map(seconds)).toEqual([5]);
  let result: string | undefined;
  void checked.then((r) => (result = r));
  check.resolve('wrong code');
  $rootScope.$digest();
  expect(result).toBe('wrong code');
  jest.advanceTimersByTime(3_000);
  expect(polls.map(seconds)).toEqual([5, 17, 20]);
  p.stop();
});

test('a check with no poll out goes in the same digest; one that throws does not stop polling', () => {
  const { p, polls } = poller(() => 'pending');
  p.start();
  let sent = false;
  void p.exclusive(() => {
    sent = true;
    return $q.resolve();
  });
  $rootScope.$digest();
  expect(sent).toBe(true);
  void p
    .exclusive(() => {
      throw new Error('No WebAuthn here.');
    })
    .catch(() => undefined);
  $rootScope.$digest();
  jest.advanceTimersByTime(10_000);
  expect(polls.map(seconds)).toEqual([5, 10]);
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
  expect(p.secondsLeft).toBe(1); // 60 s: the answer of the poll out is still due
  jest.advanceTimersByTime(4_000);
  expect(p.secondsLeft).toBe(1);
  expect(p.waiting).toBe(true);
  p.stop();
});

test("a late answer from a stopped run is ignored; the new run's first poll waits for it", () => {
  const { p, polls, outcomes, reply } = poller((n) => (n === 1 ? 'later' : 'pending'));
  p.start();
  jest.advanceTimersByTime(5_000);
  p.start(); // its first poll is due at 10 s
  jest.advanceTimersByTime(6_000);
  expect(polls.map(seconds)).toEqual([5]);
  reply(1, 'approved');
  expect(outcomes).toEqual([]);
  expect(p.waiting).toBe(true);
  expect(polls.map(seconds)).toEqual([5, 11]);
  p.stop();
});
