// Metrics of a cluster (WEB_CONCURRENCY > 1): each worker counts for itself, and the primary
// serves the sum (prom-client's AggregatorRegistry asks every worker over IPC). A worker that gets
// GET /metrics on the app's port asks the primary for that sum, so any worker answers the same.
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsSource } from './http';
import type { Metrics } from './metrics';

const ASK = 'asq:metrics';
const ANSWER = 'asq:metrics-answer';
/** prom-client gives up on a worker after 5 s; the worker waits a little longer for the primary. */
const ANSWER_TIMEOUT_MS = 6000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}
const isMessage = (m: unknown, type: string): m is { type: string; id: number } =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

/** In the primary: the workers' sum, for its own METRICS_PORT and for workers that ask. */
export function primaryMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  const source: MetricsSource = { render: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage(message, ASK)) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer } satisfies Answer);
    };
    source.render().then(
      (text) => reply({ text }),
      (err: Error) => reply({ error: err.message }),
    );
  });
  return source;
}

/** In a worker: its registry joins the primary's sum, and /metrics here shows that sum. */
export function workerMetrics(metrics: Metrics): MetricsSource {
  // The constructor makes this worker answer the primary's requests, for the registries set here.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  const waiting = new Map<number, (answer: Answer) => void>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (isMessage(message, ANSWER)) waiting.get(message.id)?.(message as Answer);
  });
  const render = () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => settle({ type: ANSWER, id, error: 'the primary did not answer' }), ANSWER_TIMEOUT_MS);
      const settle = (answer: Answer) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.text !== undefined) resolve(answer.text);
        else reject(new Error(answer.error ?? 'no metrics'));
      };
      waiting.set(id, settle);
      process.send!({ type: ASK, id });
    });
  return { render, contentType: metrics.registry.contentType };
}
