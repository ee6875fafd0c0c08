import type { IDeferred, IPromise, IQService, ITimeoutService } from 'angular';
import type { ApprovalStatus } from '../../common/approval-status';
import { errorMessage } from '../core/api.service';

/** Push Auth polling, the original's rhythm: a poll at 5, 10, …, 60 s after the push was sent. */
export const PUSH_POLL_INTERVAL_MS = 5_000;
export const PUSH_MAX_POLLS = 12;
export const PUSH_WAIT_SECONDS = (PUSH_POLL_INTERVAL_MS * PUSH_MAX_POLLS) / 1000;
/**
 * A status poll not answered in this time is aborted and counts as a passing failure. It is
 * twice the server's own wait for the 2FA API (10 s), so a slow answer is not thrown away.
 */
export const PUSH_POLL_TIMEOUT_MS = 20_000;
export const POLL_TIMED_OUT = 'The server did not answer in time. Check your connection and try again.';

export type PushOutcome = 'approved' | 'denied' | 'expired' | 'timeout' | 'error';

/** A status request that failed in a way worth retrying on the next poll (network, 429, 5xx). */
function isTransient(rejection: unknown): boolean {
  const status = (rejection as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status <= 0 || status === 429 || status >= 500);
}

/**
 * Polls the approval status at 5, 10, …, 60 s from the moment the push was sent, until a final
 * answer or the first answer (or abort) after the 60 s mark, and counts down the real time left.
 *
 * At most one request is out at a time. The poll that sees the approval passes 2FA, which gives
 * the session a new id and a new XSRF-TOKEN; a second poll sent before that answer came would
 * carry the old id, be refused as anonymous, and its refusal's fresh token would overwrite the
 * new one. So a poll still unanswered when the next is due holds it: the next goes out when the
 * answer comes (at once if its time has passed, then on the 5 s rhythm again), or when the poll
 * is aborted after PUSH_POLL_TIMEOUT_MS. `exclusive` runs the page's own checks (code, passkey,
 * recovery code, logout) the same way. Timers go through $timeout, so a test clock can drive them.
 */
export class PushPoller {
  waiting = false;
  secondsLeft = 0;
  readonly totalSeconds = PUSH_WAIT_SECONDS;
  private startedAt = 0;
  /** When this run's last poll went out (its start, before the first). */
  private lastSentAt = 0;
  /** Bumped on every start/stop, so a late answer of an old run is ignored. */
  private run = 0;
  /** Settles when the poll out (of any run) is answered or aborted. */
  private inFlight?: IDeferred<void>;
  /** The page's own requests out through `exclusive`. */
  private checks = 0;
  /** A poll came due while a request was out: it goes once none is. */
  private overdue = false;
  private pollTimer?: IPromise<void>;
  private tickTimer?: IPromise<void>;

  constructor(
    private readonly $q: IQService,
    private readonly $timeout: ITimeoutService,
    /** The status request; `abort` resolves when the poller gives up on it ($http's `timeout`). */
    private readonly fetchStatus: (abort: IPromise<void>) => IPromise<ApprovalStatus>,
    private readonly onDone: (outcome: PushOutcome, message?: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.stop();
    this.waiting = true;
    this.startedAt = this.lastSentAt = this.now();
    this.tick();
    this.scheduleNext();
  }

  /** Stops waiting. A poll already out is not aborted: its answer may carry the session's new id. */
  stop(): void {
    this.run++;
    this.waiting = false;
    this.overdue = false;
    if (this.pollTimer) this.$timeout.cancel(this.pollTimer);
    if (this.tickTimer) this.$timeout.cancel(this.tickTimer);
    this.pollTimer = this.tickTimer = undefined;
  }

  /**
   * Sends `request` (one that may change the session) when no poll is out, and holds the polls
   * that come due until it settles. The next poll waits a tick more, so a caller whose request
   * passed 2FA can stop the poller first.
   */
  exclusive<T>(request: () => IPromise<T>): IPromise<T> {
    this.checks++;
    // Through a promise even when nothing is out, so a request that throws still releases the polls.
    return this.$q
      .when(this.inFlight?.promise)
      .then(() => request())
      .finally(() => {
        this.checks--;
        this.$timeout(() => this.sendOverdue(), 0);
      });
  }

  /** The countdown: whole seconds to the 60 s mark, and never 0 while an answer is still due. */
  private tick(): void {
    const left = this.startedAt + PUSH_WAIT_SECONDS * 1000 - this.now();
    this.secondsLeft = Math.max(1, Math.ceil(left / 1000));
    // Wake on the next whole second of the countdown.
    const untilNextSecond = left > 0 ? left - (this.secondsLeft - 1) * 1000 : 1000;
    this.tickTimer = this.$timeout(() => this.tick(), Math.max(untilNextSecond, 1));
  }

  /**
   * The next poll at the first 5 s mark after the last one went out. When that has passed, it is
   * overdue at once (and the settling poll's `sendOverdue` sends it).
   */
  private scheduleNext(): void {
    const run = this.run;
    const slot = Math.min(Math.floor((this.lastSentAt - this.startedAt) / PUSH_POLL_INTERVAL_MS) + 1, PUSH_MAX_POLLS);
    const delay = this.startedAt + slot * PUSH_POLL_INTERVAL_MS - this.now();
    if (delay <= 0) {
      this.overdue = true;
      return;
    }
    this.pollTimer = this.$timeout(() => {
      this.pollTimer = undefined;
      if (run !== this.run) return;
      this.overdue = true;
      this.sendOverdue();
    }, delay);
  }

  private sendOverdue(): void {
    if (!this.overdue || this.inFlight || this.checks > 0) return;
    this.overdue = false;
    this.poll();
  }

  private poll(): void {
    const run = this.run;
    this.lastSentAt = this.now();
    const done = (this.inFlight = this.$q.defer<void>());
    const abort = this.$q.defer<void>();
    const deadline = this.$timeout(() => abort.resolve(), PUSH_POLL_TIMEOUT_MS);
    let settled = false;
    const settle = (handle: (last: boolean) => void) => {
      if (settled) return;
      settled = true;
      this.$timeout.cancel(deadline);
      this.inFlight = undefined;
      done.resolve();
      // The answer that comes after the 60 s mark is the last one.
      if (run === this.run) handle(this.now() >= this.startedAt + PUSH_WAIT_SECONDS * 1000);
      this.sendOverdue();
    };
    this.fetchStatus(abort.promise).then(
      (status) =>
        settle((last) => {
          if (status !== 'pending') this.finish(status);
          else if (last) this.finish('timeout');
          else this.scheduleNext();
        }),
      (rejection: unknown) =>
        settle((last) => {
          // A passing failure waits for the next poll; the last one has none.
          if (isTransient(rejection) && !last) this.scheduleNext();
          else this.finish('error', errorMessage(rejection));
        }),
    );
    void abort.promise.then(() => settle((last) => (last ? this.finish('error', POLL_TIMED_OUT) : this.scheduleNext())));
  }

  private finish(outcome: PushOutcome, message?: string): void {
    this.stop();
    this.onDone(outcome, message);
  }
}
