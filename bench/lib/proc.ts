// CPU time and resident memory of a process, read from Linux's /proc. CPU time counts what the
// process ran on any core (user and system, all its threads), so it moves much less with
// neighbours on the machine than wall-clock figures do. Elsewhere (no /proc) every figure is null.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (almost always 100). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU time the process has used so far (user + system, all threads), µs; null without /proc. */
export function cpuMicros(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of the stat line, 12 and 13 after the name.
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND : null;
}

/** CPU µs used between two readings, per request; null when either reading is missing. */
export function perRequest(before: number | null, after: number | null, requests: number): number | null {
  if (before === null || after === null || requests <= 0) return null;
  return Math.round((after - before) / requests);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once the process has used less than `quietMs` of CPU over `windowMs` (say, its
 * start-up's password hash is done), or after `timeoutMs`.
 */
export async function cpuQuiet(pid: number | undefined, { windowMs = 500, quietMs = 25, timeoutMs = 30_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = cpuMicros(pid);
  while (last !== null && Date.now() < deadline) {
    await sleep(windowMs);
    const now = cpuMicros(pid);
    if (now === null || now - last < quietMs * 1000) return;
    last = now;
  }
}
