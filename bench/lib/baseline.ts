// The CPU baseline: each scenario's CPU per request, as a multiple of the bare Express hello's in
// the same run (a figure that moves little between machines and neighbours, unlike µs or req/s).
// `--save-baseline` writes it to bench/baseline.json; `--compare` checks a run against it and
// flags a scenario whose app (or database) CPU per request rose by more than 10 %.
import { readFile, writeFile } from 'node:fs/promises';

/** A rise past this share (of the baseline's CPU per request, relative to hello's) is flagged. */
export const ALLOWED_RISE = 0.1;

export interface BaselineScenario {
  connections: number;
  /** µs per request in the recorded run (for reading only: the comparison uses the ratios). */
  appCpuUs: number;
  dbCpuUs: number | null;
  /** CPU per request ÷ the hello's at the same connections, same run. */
  appCpuPerHello: number;
  dbCpuPerHello: number | null;
  rpsPerHello: number | null;
}

export interface Baseline {
  about: string;
  recorded: string;
  commit: string | null;
  machine: { node: string; cores: number; platform: string };
  database: string | undefined;
  options: { duration: number; warmup: number; runs: number };
  hello: Record<string, { cpuUs: number | null; rps: number | null }>;
  scenarios: Record<string, BaselineScenario>;
}

/** What the comparison needs of a finished run. */
export interface RunForBaseline {
  date: string;
  machine: Baseline['machine'];
  database: { kind?: string };
  options: Baseline['options'];
  hellos: readonly { connections: number; median: { appCpuUs: number | null; rps: number | null } }[];
  scenarios: readonly {
    name: string;
    connections: number;
    error?: string;
    median?: { appCpuUs: number | null; dbCpuUs: number | null };
    cpuRatioToHello?: number | null;
    ratioToHello?: number;
  }[];
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function helloCpu(run: RunForBaseline, connections: number): number | null {
  const hello = run.hellos.find((h) => h.connections === connections) ?? run.hellos[0];
  return hello?.median.appCpuUs ?? null;
}

export function baselineOf(run: RunForBaseline, commit: string | null): Baseline {
  const scenarios: Record<string, BaselineScenario> = {};
  for (const s of run.scenarios) {
    const hello = helloCpu(run, s.connections);
    const app = s.median?.appCpuUs;
    if (s.error || app === null || app === undefined || !hello) continue;
    const db = s.median?.dbCpuUs ?? null;
    scenarios[s.name] = {
      connections: s.connections,
      appCpuUs: app,
      dbCpuUs: db,
      appCpuPerHello: round(app / hello, 3),
      dbCpuPerHello: db === null ? null : round(db / hello, 3),
      rpsPerHello: s.ratioToHello ?? null,
    };
  }
  return {
    about:
      'CPU per request of each scenario, written by `npm run bench -- --save-baseline`; `--compare` checks a run against it (bench/README.md).',
    recorded: run.date,
    commit,
    machine: { node: run.machine.node, cores: run.machine.cores, platform: run.machine.platform },
    database: run.database.kind,
    options: { duration: run.options.duration, warmup: run.options.warmup, runs: run.options.runs },
    hello: Object.fromEntries(run.hellos.map((h) => [String(h.connections), { cpuUs: h.median.appCpuUs, rps: h.median.rps }])),
    scenarios,
  };
}

export async function saveBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFile(file, JSON.stringify(baseline, null, 2) + '\n');
}

export async function loadBaseline(file: string): Promise<Baseline> {
  return JSON.parse(await readFile(file, 'utf8')) as Baseline;
}

export interface Comparison {
  scenario: string;
  /** 'app' or 'database' CPU per request, each relative to hello's. */
  what: 'app' | 'database';
  before: number;
  now: number;
  /** now ÷ before − 1 */
  rise: number;
  flagged: boolean;
}

/** Every scenario of the run that the baseline also has, app and database CPU compared. */
export function compareWithBaseline(run: RunForBaseline, baseline: Baseline): Comparison[] {
  const out: Comparison[] = [];
  for (const s of run.scenarios) {
    const then = baseline.scenarios[s.name];
    const hello = helloCpu(run, s.connections);
    if (!then || s.error || !s.median || !hello) continue;
    const pairs: [Comparison['what'], number | null | undefined, number | null][] = [
      ['app', s.median.appCpuUs, then.appCpuPerHello],
      ['database', s.median.dbCpuUs, then.dbCpuPerHello],
    ];
    for (const [what, us, before] of pairs) {
      if (us === null || us === undefined || before === null || before <= 0) continue;
      const now = round(us / hello, 3);
      const rise = round(now / before - 1, 3);
      out.push({ scenario: s.name, what, before, now, rise, flagged: rise > ALLOWED_RISE });
    }
  }
  return out;
}

export function comparisonLines(comparisons: readonly Comparison[], baseline: Baseline, run: RunForBaseline): string[] {
  const lines = [
    `CPU per request against the baseline (${baseline.recorded}${baseline.commit ? `, ${baseline.commit}` : ''}), as × hello's:`,
  ];
  if (baseline.database !== run.database.kind) {
    lines.push(`  note: the baseline ran on ${baseline.database}, this run on ${run.database.kind}: database figures differ by nature`);
  }
  for (const c of comparisons) {
    const sign = c.rise >= 0 ? '+' : '';
    lines.push(
      `  ${c.flagged ? 'ROSE' : 'ok  '}  ${c.scenario} ${c.what}: ×${c.now} (baseline ×${c.before}, ${sign}${(c.rise * 100).toFixed(1)} %)`,
    );
  }
  if (comparisons.length === 0) lines.push('  no scenario in common with the baseline');
  return lines;
}
