// What the two halves of the sandbox share while they run: one clock (injectable for tests), one
// claims collection and one logger. Whatever must happen once in either API (a code or a time
// step used, a push request answered, a try counted) is the insert of a claim (db/claim.ts),
// never a conditional update or a transaction: FerretDB v1 has neither atomically.
import { trusted, type Model } from 'mongoose';
import { claimOnce, type Claim } from '../../db/claim';
import type { Logger } from '../../platform/logger';

export interface SandboxContext {
  /** The sandbox's one clock. */
  now: () => Date;
  /** True for the one caller that claims `id`; the claim lasts until `until`. */
  claim: (id: string, until: Date) => Promise<boolean>;
  logger: Logger;
}

export function sandboxContext(o: { claims: Model<Claim>; logger: Logger; now: () => Date }): SandboxContext {
  return { now: o.now, claim: (id, until) => claimOnce(o.claims, id, until), logger: o.logger };
}

/** A query condition: later than `date` (reads filter on expiry themselves: a sweep may run late). */
export const laterThan = (date: Date) => trusted({ $gt: date });

/**
 * One more try of at most `max`: claims the first free number from `first` under `key`, so
 * concurrent callers each get their own. The number claimed, or 0 when all are taken.
 */
export async function nextTry(ctx: SandboxContext, key: string, first: number, max: number, until: Date): Promise<number> {
  for (let k = first; k <= max; k++) if (await ctx.claim(`${key}:${k}`, until)) return k;
  return 0;
}
