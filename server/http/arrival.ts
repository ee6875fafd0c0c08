// When a request arrived (performance.now()'s clock), stamped by the request log, its first
// middleware, and a way to hear when it was answered: a budget that counts from the request's
// arrival to its answer (the password hashes' queue) includes the work done before and after.
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';

const ARRIVED = Symbol('request arrived');

type Stamped = Request & { [ARRIVED]?: number };

export interface RequestClock {
  /** performance.now() when the request arrived. */
  arrivedAt: number;
  /** Calls `listener` once the answer has been sent. */
  onAnswered(listener: () => void): void;
}

export function stampArrival(req: Request, at: number): void {
  (req as Stamped)[ARRIVED] = at;
}

/** The request's clock; a request that was not stamped arrived now. */
export function requestClock(req: Request, res: Response): RequestClock {
  return {
    arrivedAt: (req as Stamped)[ARRIVED] ?? performance.now(),
    onAnswered: (listener) => void res.once('finish', listener),
  };
}
