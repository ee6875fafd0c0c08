// Keeps an embedded database server running: when it dies, it is started again after a pause
// (1 s, 2 s, 4 s), at most three times in a row; a run of 5 minutes counts as healthy and resets
// the count. Past that, `onFailure` gets one line saying why, and the app stops.
import type { DatabaseLogger } from './embedded';
import { errorText } from './executables';

export interface Running {
  pid?: number;
  /** Settles once the process has exited, with how ("was killed by SIGKILL"). */
  exited: Promise<string>;
}

export interface SupervisorOptions<T extends Running> {
  /** What is supervised, for log lines ("FerretDB"). */
  name: string;
  restart(): Promise<T>;
  logger?: DatabaseLogger;
  onFailure(message: string): void;
  delaysMs?: readonly number[];
  healthyAfterMs?: number;
}

export const RESTART_DELAYS_MS = [1000, 2000, 4000] as const;
const HEALTHY_AFTER_MS = 5 * 60_000;

export interface Supervisor<T> {
  current(): T;
  /** Stops watching: an exit from now on is expected. */
  stop(): void;
}

export function supervise<T extends Running>(first: T, o: SupervisorOptions<T>): Supervisor<T> {
  const delays = o.delaysMs ?? RESTART_DELAYS_MS;
  const healthyAfter = o.healthyAfterMs ?? HEALTHY_AFTER_MS;
  let current = first;
  let stopped = false;

  const watch = async () => {
    let restarts = 0;
    let startedAt = Date.now();
    let death = await current.exited;
    while (!stopped) {
      if (Date.now() - startedAt >= healthyAfter) restarts = 0;
      if (restarts >= delays.length) {
        o.onFailure(`${o.name} ${death}, and it was restarted ${restarts} times already: giving up`);
        return;
      }
      const delay = delays[restarts++];
      o.logger?.warn(`${o.name} ${death}: starting it again in ${delay / 1000} s (restart ${restarts} of ${delays.length})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopped) return;
      try {
        current = await o.restart();
      } catch (err) {
        death = `could not be started again (${errorText(err).split('\n')[0]})`;
        continue;
      }
      startedAt = Date.now();
      o.logger?.info({ databasePid: current.pid }, `${o.name} is running again`);
      death = await current.exited;
    }
  };
  void watch();
  return {
    current: () => current,
    stop: () => void (stopped = true),
  };
}
