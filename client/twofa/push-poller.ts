import type { IPromise, ITimeoutService } from 'angular';
import type { ApprovalStatus } from '../../common/approval-status';
import { errorMessage } from '../core/api.service';

/** Push Auth polling, the original's rhythm: a poll at 5, 10, …, 60 s after the push was sent. */
export const PUSH_POLL_INTERVAL_MS = 5_000;
export const PUSH_MAX_POLLS = 12;
export const PUSH_WAIT_SECONDS = (PUSH_POLL_INTERVAL_MS * PUSH_MAX_POLLS) / 1000;

export type PushOutcome = 'approved' | 'denied' | 'expired' | 'timeout' | 'error';

/** A status request that failed in a way worth retrying on the next poll (network, 429, 5xx). */
function isTransient(rejection: unknown): boolean {
  const status = (rejection as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status <= 0 || status === 429 || status >= 500);
}

/**
 * Polls the approval status on a fixed schedule from the moment the push was sent (a slow answer
 * does not push later polls back), until a final answer or the last poll's answer, and counts
 * down the real time left. Timers go through $timeout, so a test clock can drive them.
 */
export class PushPoller {
  waiting = false;
  secondsLeft = 0;
  readonly totalSeconds = PUSH_WAIT_SECONDS;
  private startedAt = 0;
  /** Polls sent in this run. */
  private sent = 0;
  /** Bumped on every start/stop, so a late answer of an old run is ignored. */
  private run = 0;
  private pollTimer?: IPromise<void>;
  private tickTimer?: IPromise<void>;

  constructor(
    private readonly $timeout: ITimeoutService,
    private readonly fetchStatus: () => IPromise<ApprovalStatus>,
    private readonly onDone: (outcome: PushOutcome, message?: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.stop();
    this.waiting = true;
    this.startedAt = this.now();
    this.sent = 0;
    this.tick();
    this.schedulePoll();
  }

  stop(): void {
    this.run++;
    this.waiting = false;
    if (this.pollTimer) this.$timeout.cancel(this.pollTimer);
    if (this.tickTimer) this.$timeout.cancel(this.tickTimer);
    this.pollTimer = this.tickTimer = undefined;
  }

  /** The countdown: whole seconds to the last poll, and never 0 while an answer is still due. */
  private tick(): void {
    const left = this.startedAt + PUSH_WAIT_SECONDS * 1000 - this.now();
    this.secondsLeft = Math.max(1, Math.ceil(left / 1000));
    // Wake on the next whole second of the countdown.
    const untilNextSecond = left > 0 ? left - (this.secondsLeft - 1) * 1000 : 1000;
    this.tickTimer = this.$timeout(() => this.tick(), Math.max(untilNextSecond, 1));
  }

  private schedulePoll(): void {
    if (this.sent >= PUSH_MAX_POLLS) return;
    const run = this.run;
    const due = this.startedAt + (this.sent + 1) * PUSH_POLL_INTERVAL_MS;
    this.pollTimer = this.$timeout(
      () => {
        if (run !== this.run) return;
        this.poll(run);
        this.schedulePoll();
      },
      Math.max(due - this.now(), 0),
    );
  }

  private poll(run: number): void {
    this.sent++;
    const last = this.sent >= PUSH_MAX_POLLS;
    this.fetchStatus().then(
      (status) => {
        if (run !== this.run) return;
        if (status !== 'pending') this.finish(status);
        else if (last) this.finish('timeout');
      },
      (rejection: unknown) => {
        // A passing failure waits for the next poll; the last one has none.
        if (run !== this.run || (isTransient(rejection) && !last)) return;
        this.finish('error', errorMessage(rejection));
      },
    );
  }

  private finish(outcome: PushOutcome, message?: string): void {
    this.stop();
    this.onDone(outcome, message);
  }
}
