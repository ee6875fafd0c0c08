// The password hashes' queue: at most `concurrency` hashes at once, and none made to wait whose
// request would, by the estimate, be answered more than `budgetMs` after it arrived. What the
// estimate uses is measured as the app runs, so under load (a burst, or neighbours on the
// machine) admission follows what hashing costs now, not what it cost idle at start:
// - a hash's time: a moving average of recent hashes' wall times, or longer while a running
//   hash has already taken longer (the machine just got busier and no hash has ended to say so);
// - the request's work after its hash (a user to store, a session to save): a moving average.
// The work before the hash counts because the budget starts at the request's arrival.
import { performance } from 'node:perf_hooks';
import { HttpError } from '../http/errors';
import type { RequestClock } from '../http/arrival';

interface Turn {
  startedAt: number;
}

interface Waiting {
  start(turn: Turn): void;
  refuse(): void;
  /** The latest moment its hash may end. */
  hashDeadline: number;
}

/** How much each new measurement moves a moving average. */
const WEIGHT = 0.3;

const average = (old: number | undefined, ms: number) => (old === undefined ? ms : old * (1 - WEIGHT) + ms * WEIGHT);

export class HashQueue {
  private readonly running = new Set<Turn>();
  private readonly waiting: Waiting[] = [];
  private averageMs?: number;
  /** Moving average of the time from a hash's end to its request's answer, ms. */
  private afterMs?: number;
  /** The end of each request's latest hash, for the time after it. */
  private readonly lastHashEnd = new WeakMap<RequestClock, number>();

  constructor(
    private readonly budgetMs: number,
    readonly concurrency: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One hash's time as things stand, ms (undefined until one was measured). */
  hashMs(): number | undefined {
    if (this.averageMs === undefined) return undefined;
    const now = this.now();
    let ms = this.averageMs;
    for (const turn of this.running) ms = Math.max(ms, now - turn.startedAt);
    return ms;
  }

  /** The estimated time from a hash's end to its request's answer, ms. */
  answerAfterHashMs(): number {
    return this.afterMs ?? 0;
  }

  /**
   * When a hash asked for now would end, on this queue's clock: it takes the first free turn
   * after the hashes running and those waiting (each running one ends one hash's time after it
   * started, each waiting one takes a hash's time), then runs for one hash's time.
   */
  endsAt(): number {
    const now = this.now();
    const hash = this.hashMs();
    if (hash === undefined) return now;
    const free = [...this.running].map((turn) => Math.max(now, turn.startedAt + hash)).sort((a, b) => a - b);
    while (free.length < this.concurrency) free.unshift(now);
    const ahead = this.waiting.length;
    return free[ahead % this.concurrency] + Math.floor(ahead / this.concurrency) * hash + hash;
  }

  /** How long a hash asked for now would wait for its turn, ms. */
  waitMs(): number {
    return Math.max(0, this.endsAt() - this.now() - (this.hashMs() ?? 0));
  }

  /**
   * Refuses now (throws the 503) a request whose hash, asked for now, would be refused: no free
   * turn, and by the estimate answered past its budget. Routes ask before their database work,
   * so in a burst a refusal costs no query; run() decides again when the hash is asked for.
   */
  refuseIfLate(request: RequestClock): void {
    if (this.hasFreeTurn()) return;
    const ends = this.endsAt();
    if (ends > this.hashDeadline(request)) throw this.busy(ends - this.now());
  }

  /**
   * Runs `work` (one hash) in turn. When it has to wait for a turn, it is refused at once (503 +
   * Retry-After) if its request would be answered past its arrival + the budget, and refused at
   * its turn if, hashing having got slower meanwhile, it would be then.
   */
  async run<T>(work: () => Promise<T>, request?: RequestClock): Promise<T> {
    // A free turn is taken whatever the estimate: with nothing to wait for, a refusal would help
    // nobody (a machine slow to hash is not an overloaded one).
    let turn: Turn;
    if (this.hasFreeTurn()) {
      turn = this.begin();
    } else {
      const hashDeadline = this.hashDeadline(request);
      const ends = this.endsAt();
      if (ends > hashDeadline) throw this.busy(ends - this.now());
      turn = await new Promise<Turn>((start, reject) =>
        this.waiting.push({ start, refuse: () => reject(this.busy(this.waitMs())), hashDeadline }),
      );
    }
    try {
      return await work();
    } finally {
      this.running.delete(turn);
      const ended = this.now();
      this.averageMs = average(this.averageMs, ended - turn.startedAt);
      if (request) this.timeAfter(request, ended);
      this.next();
    }
  }

  private hasFreeTurn(): boolean {
    return this.running.size < this.concurrency && this.waiting.length === 0;
  }

  /** The latest moment the request's hash may end for its answer to come within the budget. */
  private hashDeadline(request?: RequestClock): number {
    return (request?.arrivedAt ?? this.now()) + this.budgetMs - this.answerAfterHashMs();
  }

  /** Measures the time from the request's last hash to its answer. */
  private timeAfter(request: RequestClock, hashEnded: number): void {
    const first = !this.lastHashEnd.has(request);
    this.lastHashEnd.set(request, hashEnded);
    if (!first) return;
    request.onAnswered(() => {
      this.afterMs = average(this.afterMs, this.now() - (this.lastHashEnd.get(request) ?? hashEnded));
    });
  }

  /** Starts the next waiting hashes that can still end in time; refuses those that cannot. */
  private next(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (this.now() + (this.hashMs() ?? 0) > next.hashDeadline) next.refuse();
      else next.start(this.begin());
    }
  }

  private begin(): Turn {
    const turn = { startedAt: this.now() };
    this.running.add(turn);
    return turn;
  }

  private busy(waitMs: number): HttpError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new HttpError(503, `The server is busy. Please try again in ${seconds} seconds.`, undefined, { 'Retry-After': String(seconds) });
  }
}
