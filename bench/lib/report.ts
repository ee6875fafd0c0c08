// Turns autocannon results and the server's counters into figures, targets and a table.
import type { Result as AutocannonResult } from 'autocannon';
import type { CommandCounts } from '../../test/support/command-counts';

export const MB = 1024 * 1024;

/** The figures of one measured run. */
export interface RunFigures {
  rps: number | null;
  p50: number;
  p99: number;
  completed: number;
  sent: number;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  readsPerRequest?: number | null;
  writesPerRequest?: number | null;
  sessionReadsPerRequest?: number | null;
  sessionWrites?: number;
  sessionWritesPerRequest?: number | null;
  byCollection?: CommandCounts['byCollection'];
  byCommand?: CommandCounts['byCommand'];
  /** CPU time per request sent (µs, from /proc) of the server under load, and of its database. */
  appCpuUs?: number | null;
  dbCpuUs?: number | null;
}

export type Summary = ReturnType<typeof summarize>;

/** What a table row needs of a measured scenario. */
export interface ScenarioRow {
  name: string;
  title: string;
  connections?: number;
  error?: string;
  median?: Summary;
  ratioToHello?: number;
  /** App CPU per request ÷ bare Express hello's, same run and connections. */
  cpuRatioToHello?: number | null;
  rssEndMB?: number;
  rssPeakMB?: number;
  flow?: { flowsPerSecond: number; p50Ms: number | null; p99Ms: number | null; failedSteps?: Record<string, number> };
}

export interface Target {
  name: string;
  value: unknown;
  limit?: string;
  pass: boolean | null;
}

export function median(values: readonly (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function percentile(values: readonly number[], p: number): number | null {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
}

const round = (x: number | null | undefined, digits = 2): number | null =>
  x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/** One autocannon run plus the server's command counts over it. */
export function runFigures(result: AutocannonResult, counts: CommandCounts | undefined, sessionsCollection: string): RunFigures {
  const sent = result.requests.sent || result.requests.total || 1;
  const sessions = counts?.byCollection?.[sessionsCollection] ?? { reads: 0, writes: 0 };
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]: [string, { count?: number }]) => [code, s.count ?? 0]),
  );
  return {
    rps: round(result.requests.total / result.duration, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    sent: result.requests.sent,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    ...(counts
      ? {
          readsPerRequest: round(counts.reads / sent, 3),
          writesPerRequest: round(counts.writes / sent, 3),
          sessionReadsPerRequest: round(sessions.reads / sent, 3),
          sessionWrites: sessions.writes,
          sessionWritesPerRequest: round(sessions.writes / sent, 4),
          byCollection: counts.byCollection,
          byCommand: counts.byCommand,
        }
      : {}),
  };
}

/** Median of each figure over the runs; counts summed. */
export function summarize(runs: readonly RunFigures[]) {
  const pick = (k: keyof RunFigures) => median(runs.map((r) => r[k] as number | null | undefined));
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p99: pick('p99'),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    statusCodes,
    readsPerRequest: pick('readsPerRequest'),
    writesPerRequest: pick('writesPerRequest'),
    sessionReadsPerRequest: pick('sessionReadsPerRequest'),
    sessionWrites: runs.reduce((n, r) => n + (r.sessionWrites ?? 0), 0),
    sessionWritesPerRequest: pick('sessionWritesPerRequest'),
    appCpuUs: pick('appCpuUs'),
    dbCpuUs: pick('dbCpuUs'),
  };
}

const fmt = (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? '–' : Number(x).toFixed(digits));
const pad = (s: string | number, n: number, right = false) => (right ? String(s).padEnd(n) : String(s).padStart(n));

export function table(results: {
  hellos: readonly { connections: number; median: Summary; rssEndMB: number }[];
  scenarios: readonly ScenarioRow[];
}): string {
  const head = [
    'scenario',
    'conn',
    'req/s',
    '×hello',
    'p50 ms',
    'p99 ms',
    'app µs',
    '×hello',
    'db µs',
    'err',
    'non2xx',
    'reads/req',
    'writes/req',
    'sess.w/req',
    'RSS end MB',
  ];
  const widths = [38, 5, 8, 7, 7, 7, 7, 6, 6, 5, 12, 10, 11, 11, 11];
  const line = (cells: (string | number)[]) => cells.map((c, i) => pad(c, widths[i], i === 0)).join(' ');
  const rows = [line(head), '-'.repeat(widths.reduce((a, b) => a + b + 1, -1))];
  for (const h of results.hellos) {
    rows.push(
      line([
        `bare Express hello (ceiling)`,
        h.connections,
        fmt(h.median.rps),
        '1.00',
        fmt(h.median.p50, 1),
        fmt(h.median.p99, 1),
        fmt(h.median.appCpuUs),
        '1.00',
        '',
        h.median.errors,
        h.median.non2xx,
        '',
        '',
        '',
        fmt(h.rssEndMB),
      ]),
    );
  }
  for (const s of results.scenarios) {
    if (s.error || !s.median) {
      rows.push(line([s.title, s.connections ?? '', 'FAILED', ...Array<string>(widths.length - 3).fill('')]) + `  ${s.error ?? ''}`);
      continue;
    }
    const m = s.median;
    const non2xx = m.non2xx
      ? `${m.non2xx} (${Object.keys(m.statusCodes)
          .filter((c) => !c.startsWith('2'))
          .join(',')})`
      : '0';
    rows.push(
      line([
        s.title,
        s.connections ?? '',
        fmt(m.rps, (m.rps ?? 0) < 100 ? 1 : 0),
        fmt(s.ratioToHello, 3),
        fmt(m.p50, 1),
        fmt(m.p99, 1),
        fmt(m.appCpuUs),
        fmt(s.cpuRatioToHello, 2),
        fmt(m.dbCpuUs),
        m.errors,
        non2xx,
        fmt(m.readsPerRequest, 3),
        fmt(m.writesPerRequest, 3),
        fmt(m.sessionWritesPerRequest, 3),
        `${fmt(s.rssEndMB)} (${fmt(s.rssPeakMB)})`,
      ]),
    );
    if (s.flow) {
      rows.push(
        line([
          `  └ whole flows`,
          '',
          fmt(s.flow.flowsPerSecond, 2),
          '',
          fmt(s.flow.p50Ms),
          fmt(s.flow.p99Ms),
          '',
          '',
          '',
          '',
          s.flow.failedSteps
            ? Object.entries(s.flow.failedSteps)
                .map(([k, v]) => `${k}×${v}`)
                .join(' ')
            : '',
          '',
          '',
          '',
          '',
        ]),
      );
    }
  }
  return rows.join('\n');
}

export function targetLines(targets: readonly Target[]): string {
  return targets
    .map(
      (t) =>
        `${t.pass === null ? ' ?  ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${String(t.value)}${t.limit ? ` (target ${t.limit})` : ''}`,
    )
    .join('\n');
}
