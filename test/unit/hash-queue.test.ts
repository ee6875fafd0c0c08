// The hash queue's admission on a clock the test moves: hashes are promises the test settles, so
// each "takes" exactly the time the test says, and the estimate is checked against it.
import { HashQueue } from '../../server/auth/hash-queue';
import type { RequestClock } from '../../server/http/arrival';
import type { HttpError } from '../../server/http/errors';

class Clock {
  t = 0;
  now = () => this.t;
}

/** A hash the test ends: `end()` settles it at the clock's current time. */
function hash(): { work: () => Promise<string>; end: () => Promise<void> } {
  let resolve!: (v: string) => void;
  const done = new Promise<string>((r) => (resolve = r));
  return { work: () => done, end: async () => (resolve('h'), await flush()) };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

/** A request that arrived at `arrivedAt` and is answered when the test calls `answer()`. */
function request(arrivedAt: number): RequestClock & { answer(): void } {
  const listeners: (() => void)[] = [];
  return { arrivedAt, onAnswered: (l) => void listeners.push(l), answer: () => listeners.splice(0).forEach((l) => l()) };
}

/** Runs one hash taking `ms` on the clock, to teach the queue a hash's time. */
async function timed(queue: HashQueue, clock: Clock, ms: number, req?: RequestClock): Promise<void> {
  const h = hash();
  const running = queue.run(h.work, req);
  clock.t += ms;
  await h.end();
  await running;
}

test('the estimate of a hash follows the hashes measured under load, not the first one taken idle', async () => {
  const clock = new Clock();
  const queue = new HashQueue(5000, 2, clock.now);
  await timed(queue, clock, 400); // idle, at start
  expect(queue.hashMs()).toBe(400);
  for (let i = 0; i < 6; i++) await timed(queue, clock, 1000); // a busy machine
  expect(queue.hashMs()).toBeGreaterThan(900);
  expect(queue.hashMs()).toBeLessThanOrEqual(1000);
});

test('a running hash that already took longer than the average raises the estimate before it ends', async () => {
  const clock = new Clock();
  const queue = new HashQueue(5000, 1, clock.now);
  await timed(queue, clock, 400);
  const slow = hash();
  const running = queue.run(slow.work);
  clock.t += 1500;
  expect(queue.hashMs()).toBe(1500);
  // The next hash waits for that one (at least until now) and then takes 1500 itself.
  expect(queue.endsAt()).toBe(clock.t + 1500);
  await slow.end();
  await running;
});

test('admission counts from the request arrival: a request that spent its budget before hashing is refused at once', async () => {
  const clock = new Clock();
  const queue = new HashQueue(5000, 1, clock.now);
  await timed(queue, clock, 1000);
  clock.t = 10_000;
  const busy = hash();
  const running = queue.run(busy.work); // the one turn is taken: the next request must wait
  // Arrived 4.5 s ago (its database work before the hash took that long): a wait of 1 s and a
  // 1 s hash end too late.
  const first = hash();
  const late = queue.run(first.work, request(5_500)).catch((err: HttpError) => err);
  // Arrived just now: admitted.
  const second = hash();
  const fresh = queue.run(second.work, request(10_000));
  clock.t += 1000;
  await busy.end();
  await first.end(); // were it admitted, it would end now and resolve
  clock.t += 1000;
  await second.end();
  expect(await late).toMatchObject({ status: 503, headers: { 'Retry-After': '2' } });
  await expect(fresh).resolves.toBe('h');
  await running;
});

test('a hash with a free turn is never refused, even when it alone would end past the budget', async () => {
  const clock = new Clock();
  const queue = new HashQueue(500, 1, clock.now);
  await timed(queue, clock, 2000);
  const h = hash();
  const run = queue.run(h.work, request(clock.t - 400));
  clock.t += 2000;
  await h.end();
  await expect(run).resolves.toBe('h');
});

test('the time from a hash to its answer is measured and kept free in the budget', async () => {
  const clock = new Clock();
  const queue = new HashQueue(5000, 1, clock.now);
  for (let i = 0; i < 8; i++) {
    const req = request(clock.t);
    await timed(queue, clock, 1000, req);
    clock.t += 800; // the user stored, the session saved
    req.answer();
  }
  expect(queue.answerAfterHashMs()).toBeGreaterThan(750);
  // 4 queued of 1 s each: the 5th would end its hash at +5 s, and its answer 0.8 s later.
  const hashes = Array.from({ length: 5 }, () => hash());
  const runs = hashes.map((h) => queue.run(h.work, request(clock.t)).catch((err: HttpError) => err.status));
  const results: unknown[] = [];
  for (const h of hashes) {
    clock.t += 1000;
    await h.end();
  }
  for (const r of runs) results.push(await r);
  // 1+1+1+1 s hashes and 0.8 s after them fit in 5 s; a fifth would have been answered at 5.8 s.
  expect(results).toEqual(['h', 'h', 'h', 'h', 503]);
});

test('a waiting hash that, at its turn, could no longer end in time is refused then, not run late', async () => {
  const clock = new Clock();
  const queue = new HashQueue(3000, 1, clock.now);
  await timed(queue, clock, 500);
  // Admitted on a 0.5 s estimate: three fit in 3 s.
  const hashes = Array.from({ length: 3 }, () => hash());
  const runs = hashes.map((h) =>
    queue.run(h.work, request(clock.t)).then(
      () => 'done',
      (err: HttpError) => err.status,
    ),
  );
  // The machine gets busy: each hash takes 1.4 s, so the third could only end at 4.2 s.
  clock.t += 1400;
  await hashes[0].end();
  clock.t += 1400;
  await hashes[1].end();
  expect(await Promise.all(runs)).toEqual(['done', 'done', 503]);
});

test('no more than `concurrency` hashes run at once, and the turns go in order', async () => {
  const clock = new Clock();
  const queue = new HashQueue(60_000, 2, clock.now);
  await timed(queue, clock, 100);
  const hashes = Array.from({ length: 5 }, () => hash());
  const started: number[] = [];
  const runs = hashes.map((h, i) => queue.run(() => (started.push(i), h.work())));
  await flush();
  expect(started).toEqual([0, 1]);
  await hashes[1].end();
  expect(started).toEqual([0, 1, 2]);
  await hashes[0].end();
  expect(started).toEqual([0, 1, 2, 3]);
  for (const h of hashes.slice(2)) await h.end();
  await Promise.all(runs);
  expect(started).toEqual([0, 1, 2, 3, 4]);
});

test('refuseIfLate refuses, before any hash is asked for, what run() would refuse at once, and nothing with a free turn', async () => {
  const clock = new Clock();
  const queue = new HashQueue(1500, 1, clock.now);
  await timed(queue, clock, 1000);
  expect(() => queue.refuseIfLate(request(clock.t))).not.toThrow(); // the turn is free
  const busy = hash();
  const running = queue.run(busy.work);
  clock.t += 200;
  // Arrived now: the running hash's 0.8 s left and 1 s of its own end past the 1.5 s budget.
  let refused: unknown;
  try {
    queue.refuseIfLate(request(clock.t));
  } catch (err) {
    refused = err;
  }
  expect(refused).toMatchObject({ status: 503, headers: { 'Retry-After': '2' } });
  clock.t += 700;
  // 0.1 s left of the running hash and 1 s of its own: within the budget.
  expect(() => queue.refuseIfLate(request(clock.t))).not.toThrow();
  await busy.end();
  await running;
});
