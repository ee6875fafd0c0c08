import type { IPromise, ITimeoutService } from 'angular';
import type { ApprovalStatus } from '../core/api.service';
import { errorMessage } from '../core/api.service';

/** Push Auth polling (SPEC §1): every 5 s, at most 12 times: one minute. */
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
 * Polls the approval status until a final answer or the last poll, and counts the seconds left.
 * Uses $timeout (window.setTimeout) so a test clock can drive it.
 */
export class PushPoller {
  waiting = false;
  secondsLeft = 0;
  readonly totalSeconds = PUSH_WAIT_SECONDS;
  private polls = 0;
  /** Bumped on every start/stop, so a late answer of an old run is ignored. */
  private run = 0;
  private pollTimer?: IPromise<void>;
  private tickTimer?: IPromise<void>;

  constructor(
    private readonly $timeout: ITimeoutService,
    private readonly fetchStatus: () => IPromise<ApprovalStatus>,
    private readonly onDone: (outcome: PushOutcome, message?: string) => void,
  ) {}

  start(): void {
    this.stop();
    this.waiting = true;
    this.polls = 0;
    this.secondsLeft = PUSH_WAIT_SECONDS;
    this.scheduleTick();
    this.schedulePoll();
  }

  stop(): void {
    this.run++;
    this.waiting = false;
    if (this.pollTimer) this.$timeout.cancel(this.pollTimer);
    if (this.tickTimer) this.$timeout.cancel(this.tickTimer);
    this.pollTimer = this.tickTimer = undefined;
  }

  private scheduleTick(): void {
    this.tickTimer = this.$timeout(() => {
      this.secondsLeft = Math.max(0, this.secondsLeft - 1);
      if (this.secondsLeft > 0) this.scheduleTick();
    }, 1000);
  }

  private schedulePoll(): void {
    const run = this.run;
    this.pollTimer = this.$timeout(() => {
      if (run === this.run) this.poll(run);
    }, PUSH_POLL_INTERVAL_MS);
  }

  private poll(run: number): void {
    this.polls++;
    const last = this.polls >= PUSH_MAX_POLLS;
    this.fetchStatus().then(
      (status) => {
        if (run !== this.run) return;
        if (status !== 'pending') this.finish(status);
        else if (last) this.finish('timeout');
        else this.schedulePoll();
      },
      (rejection: unknown) => {
        if (run !== this.run) return;
        if (isTransient(rejection) && !last) this.schedulePoll();
        else this.finish('error', errorMessage(rejection));
      },
    );
  }

  private finish(outcome: PushOutcome, message?: string): void {
    this.stop();
    this.onDone(outcome, message);
  }
}
