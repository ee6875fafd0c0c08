// inSeries: several middleware functions run as one layer, in order, stopping at the first error.
import type { Request, RequestHandler, Response } from 'express';
import { inSeries } from '../../server/http/in-series';

const req = {} as Request;
const res = {} as Response;

function run(handlers: RequestHandler[]): Promise<{ calls: string[]; err: unknown }> {
  const calls: string[] = [];
  const named = handlers.map((h, i): RequestHandler => (rq, rs, next) => {
    calls.push(`h${i}`);
    h(rq, rs, next);
  });
  return new Promise((resolve) => inSeries(named)(req, res, (err?: unknown) => resolve({ calls, err })));
}

test('each runs in turn, then the next layer', async () => {
  const later: RequestHandler = (_rq, _rs, next) => void setImmediate(next);
  expect(await run([(_rq, _rs, next) => next(), later, (_rq, _rs, next) => next()])).toEqual({ calls: ['h0', 'h1', 'h2'], err: undefined });
});

test('an error passed on, or thrown, skips the rest', async () => {
  const boom = new Error('boom');
  expect(await run([(_rq, _rs, next) => next(boom), (_rq, _rs, next) => next()])).toEqual({ calls: ['h0'], err: boom });
  const thrown = await run([
    () => {
      throw boom;
    },
    (_rq, _rs, next) => next(),
  ]);
  expect(thrown).toEqual({ calls: ['h0'], err: boom });
});
