// The burst: N people arrive at the same moment and each goes register → SMS → code → verify →
// /protected as the SPA does it: a 503 with Retry-After is waited out and sent once more (one
// retry). Registration hashes a password (scrypt N=2^17), so the burst meets the bounded hash
// queue: what would wait longer than HASH_QUEUE_MAX_SECONDS is refused at once.
import { performance } from 'node:perf_hooks';
import { Browser, type BrowserResponse } from './browser';
import { newPerson, PASSWORD, type Person } from './scenarios';
import { percentile } from './report';

export interface BurstResult {
  flows: number;
  completed: number;
  seconds: number;
  flowsPerSecond: number;
  /** Every request sent, 503s and retries included. */
  requests: number;
  /** Answered requests (any status but 503), ms. */
  answered: { count: number; p50: number | null; p99: number | null; max: number | null };
  /** All requests, ms. */
  all: { p50: number | null; p99: number | null };
  /** 503s given (each was retried once, as the SPA does). */
  refused503: number;
  /** Flows that did not reach /protected, by the step and status that stopped them. */
  failedSteps: Record<string, number>;
  /** Whole flows that finished, ms from the first request. */
  flowMs: { p50: number | null; p99: number | null };
  /** Each step's answered requests (ms) and 503s, to see where the time goes. */
  steps: Record<string, { answered: number; p50: number | null; p99: number | null; refused503: number }>;
}

const MAX_RETRY_WAIT_S = 30;

/** `codeOf(person)` reads the code "the phone" got (the sandbox inbox shows only the newest 50). */
export async function runBurst(
  baseUrl: string,
  count: number,
  codeOf: (person: Person, since: number) => Promise<string | undefined>,
): Promise<BurstResult> {
  const answeredMs: number[] = [];
  const allMs: number[] = [];
  const stepMs: Record<string, number[]> = {};
  const step503: Record<string, number> = {};
  const flowMs: number[] = [];
  const failedSteps: Record<string, number> = {};
  let refused503 = 0;

  /** One step, retried once after a 503's Retry-After. */
  async function send(step: string, call: () => Promise<BrowserResponse>): Promise<BrowserResponse> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const res = await call();
      const ms = performance.now() - started;
      allMs.push(ms);
      if (res.status !== 503) {
        answeredMs.push(ms);
        (stepMs[step] ??= []).push(ms);
        return res;
      }
      refused503++;
      step503[step] = (step503[step] ?? 0) + 1;
      const wait = Number(res.headers.get('retry-after'));
      if (attempt > 0 || !(wait > 0 && wait <= MAX_RETRY_WAIT_S)) return res;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }

  async function flow(): Promise<void> {
    const person = newPerson('burst');
    const browser = new Browser(baseUrl);
    await browser.get('/', { expect: 200 }); // the SPA's page: the CSRF cookie
    const started = performance.now();
    const since = Date.now();
    const stop = (step: string, status: number | string) => {
      failedSteps[`${step} ${status}`] = (failedSteps[`${step} ${status}`] ?? 0) + 1;
    };
    const registration = { username: person.username, email: `${person.username}@example.com`, password: PASSWORD, country_code: '+1' };
    const registered = await send('register', () => browser.post('/api/user/register', { ...registration, phone_number: person.phone }));
    if (registered.status !== 200) return stop('register', registered.status);
    const sms = await send('sms', () => browser.post('/api/accountsecurity/sms', {}));
    if (sms.status !== 200) return stop('sms', sms.status);
    const code = await codeOf(person, since);
    if (!code) return stop('code', 'none');
    const verified = await send('verify', () => browser.post('/api/accountsecurity/verify', { token: code }));
    if (verified.status !== 200) return stop('verify', verified.status);
    const content = await send('protected', () => browser.get('/api/protected'));
    if (content.status !== 200) return stop('protected', content.status);
    flowMs.push(performance.now() - started);
  }

  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: count }, () => flow()));
  const seconds = (performance.now() - started) / 1000;
  for (const o of outcomes) {
    if (o.status === 'rejected') {
      const reason = o.reason instanceof Error ? o.reason.message.split('\n')[0].slice(0, 80) : String(o.reason);
      failedSteps[`error ${reason}`] = (failedSteps[`error ${reason}`] ?? 0) + 1;
    }
  }
  const round = (x: number | null) => (x === null ? null : Math.round(x));
  return {
    flows: count,
    completed: flowMs.length,
    seconds: Math.round(seconds * 10) / 10,
    flowsPerSecond: Math.round((flowMs.length / seconds) * 100) / 100,
    requests: allMs.length,
    answered: {
      count: answeredMs.length,
      p50: round(percentile(answeredMs, 50)),
      p99: round(percentile(answeredMs, 99)),
      max: round(answeredMs.length ? Math.max(...answeredMs) : null),
    },
    all: { p50: round(percentile(allMs, 50)), p99: round(percentile(allMs, 99)) },
    refused503,
    failedSteps,
    flowMs: { p50: round(percentile(flowMs, 50)), p99: round(percentile(flowMs, 99)) },
    steps: Object.fromEntries(
      ['register', 'sms', 'verify', 'protected'].map((step) => {
        const ms = stepMs[step] ?? [];
        return [
          step,
          { answered: ms.length, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), refused503: step503[step] ?? 0 },
        ];
      }),
    ),
  };
}
