// The only module with side effects: load config, start or reach the database, listen, and stop
// cleanly. With WEB_CONCURRENCY > 1 this process is the cluster's primary (server/start/cluster.ts): it
// owns the embedded database and the generated secrets, and its workers run this file too.
import 'dotenv/config';
import cluster from 'node:cluster';
import path from 'node:path';
import { startCluster, type WorkerSetup } from './start/cluster';
import { loadConfig, type Config } from './platform/config';
import { readOrCreateSecret } from './platform/data-dir';
import { closeConnection, connectWhenReachable } from './db/connect';
import { resolveDatabase } from './embedded-db/resolve';
import { createLogger, type Logger } from './platform/logger';
import { startMetricsServer, type MetricsSource } from './metrics/http';
import type { Metrics } from './metrics/metrics';
import { NO_METRICS } from './metrics/no-metrics';
import { relyingPartyOf } from './passkeys/relying-party';
import { PUBLIC_DIR, REPO_ROOT } from './platform/paths';
import { migrateData } from './start/migrate-data';
import { DEFAULT_GRACE_MS, startServer } from './start/start-server';
import { providerLine, sandboxBanner } from './start/startup-messages';

const DATA_DIR = path.join(REPO_ROOT, '.data');
const PREFIX = 'account-security-quickstart:';

/** Names PUBLIC_URL too when it differs: passkeys work only at that origin (localhost, not 127.0.0.1). */
function listeningLine(config: Config, port: number, workers: number): string {
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const at = `http://${host}:${port}`;
  const open = config.publicUrl === at ? '' : ` (open ${config.publicUrl})`;
  return `Account Security Quickstart listening on ${at}${workers > 1 ? ` with ${workers} workers` : ''}${open}`;
}

/** One line on stderr saying why, then exit 1 (no stack for expected failures). */
function fail(reason: string): never {
  console.error(`${PREFIX} ${reason}`);
  process.exit(1);
}

/**
 * SIGTERM or SIGINT runs `stop` once (it exits when done); a second one while stopping exits at
 * once, except in a worker, which also gets the terminal's Ctrl-C besides its primary's SIGTERM.
 */
function onStopSignals(logger: Logger, stop: () => Promise<void>, { forceOnSecond = true } = {}): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (!forceOnSecond) return;
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: stopping (answering the requests in flight, up to ${DEFAULT_GRACE_MS / 1000} s)`);
    void stop();
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/** Metrics are collected when something can read them: GET /metrics with a token, or METRICS_PORT. */
const metricsWanted = (config: Config) => config.metricsToken !== undefined || config.metricsPort !== undefined;

// prom-client, and what uses it, loaded only when metrics are wanted.
/* eslint-disable @typescript-eslint/no-require-imports */
const promMetrics = () => require('./metrics/metrics') as typeof import('./metrics/metrics');
const clusterMetrics = () => require('./metrics/cluster') as typeof import('./metrics/cluster');
/* eslint-enable @typescript-eslint/no-require-imports */

/** This process's metrics, with Node's own (memory, CPU, event loop); none when nothing can read them. */
const processMetrics = (config: Config) => (metricsWanted(config) ? promMetrics().createMetrics({ processMetrics: true }) : NO_METRICS);

const localSource = (metrics: Metrics): MetricsSource => ({
  render: () => metrics.registry.metrics(),
  contentType: metrics.registry.contentType,
});

/** Connects (waiting up to DB_CONNECT_TIMEOUT), listens, and returns how to stop. A worker leaves the data's migration to its primary. */
async function serve(config: Config, logger: Logger, setup: Omit<WorkerSetup, 'type'>, metrics: Metrics, metricsSource?: MetricsSource) {
  const { connection, isFerretDB } = await connectWhenReachable(setup.databaseUri, {
    dbName: setup.dbName,
    timeoutMs: config.dbConnectTimeoutMs,
    logger,
  });
  if (!cluster.isWorker) await migrateData(connection, logger);
  const running = await startServer({
    config,
    port: config.port,
    host: config.host,
    connection,
    isFerretDB,
    logger,
    sessionSecret: setup.sessionSecret,
    sandboxKey: setup.sandboxKey,
    sandboxAuthToken: setup.sandboxAuthToken,
    publicDir: PUBLIC_DIR,
    metrics,
    metricsSource,
  });
  return {
    port: running.port,
    /** Requests in flight answered, sweeper stopped, database connection closed. */
    close: async () => {
      await running.close(DEFAULT_GRACE_MS);
      await closeConnection(connection);
    },
  };
}

/** A cluster worker: waits for the primary's setup, serves, and stops on a signal or when the primary is gone. */
async function runWorker(config: Config, logger: Logger): Promise<void> {
  const setup = await new Promise<WorkerSetup>((resolve) => process.once('message', (m: WorkerSetup) => resolve(m)));
  // Counted here, summed by the primary (which /metrics shows on any worker).
  const metrics = processMetrics(config);
  const served = await serve(config, logger, setup, metrics, metricsWanted(config) ? clusterMetrics().workerMetrics(metrics) : undefined);
  const stop = async () => {
    await served.close();
    process.exit(0);
  };
  onStopSignals(logger, stop, { forceOnSecond: false });
  // The primary died (even by SIGKILL): no worker outlives it.
  process.once('disconnect', () => void stop());
}

async function main(): Promise<void> {
  const config = loadConfig();
  // A person at a terminal gets readable lines; anything else (a log shipper) gets JSON, and
  // does not load pino-pretty.
  const logger = createLogger(
    config.logLevel,
    process.stdout.isTTY && config.nodeEnv !== 'production'
      ? (await import('pino-pretty')).default({ colorize: true, ignore: 'pid,hostname,method,path,status,ms' })
      : undefined,
  );
  if (cluster.isWorker) return runWorker(config, logger);
  const sandboxMode = config.sandbox;

  // `stop` is set once the app serves; until then a dead embedded database just ends start-up.
  const app: { stop?: (failure?: string) => Promise<void> } = {};
  const database = await resolveDatabase({
    uri: config.mongodbUri,
    dataDir: DATA_DIR,
    ephemeral: false,
    logger,
    onFailure: (reason) => {
      logger.error(reason);
      void (app.stop ? app.stop(reason) : fail(reason));
    },
  });
  logger.info(
    { database: database.kind },
    `database: ${database.kind === 'external' ? 'MONGODB_URI' : `embedded ${database.kind}, data in .data/`}`,
  );
  // Generated once here, before any worker starts, so every worker signs with the same secret.
  const setup = {
    databaseUri: database.uri,
    dbName: config.mongodbUri ? undefined : 'account_security',
    sessionSecret: config.sessionSecret ?? readOrCreateSecret(DATA_DIR, 'session-secret'),
    sandboxKey: sandboxMode ? (config.sandboxKey ?? readOrCreateSecret(DATA_DIR, 'sandbox-api-key')) : '',
    sandboxAuthToken: sandboxMode ? (config.verifySandboxAuthToken ?? readOrCreateSecret(DATA_DIR, 'sandbox-twilio-auth-token')) : '',
  };

  let port: number;
  let close: () => Promise<void>;
  let metricsSource: MetricsSource | undefined;
  try {
    if (config.webConcurrency > 1) {
      if (metricsWanted(config)) metricsSource = clusterMetrics().primaryMetrics();
      // Wait for the database here, once, rather than in every worker.
      const probe = await connectWhenReachable(setup.databaseUri, { dbName: setup.dbName, timeoutMs: config.dbConnectTimeoutMs, logger });
      await migrateData(probe.connection, logger).finally(() => closeConnection(probe.connection));
      const workers = startCluster({ size: config.webConcurrency, setup, logger });
      close = () => workers.stop(DEFAULT_GRACE_MS + 5000);
      port = await workers.listening.catch(async (err: Error) => {
        await workers.stop(5000);
        throw err;
      });
    } else {
      const metrics = processMetrics(config);
      if (metricsWanted(config)) metricsSource = localSource(metrics);
      ({ port, close } = await serve(config, logger, setup, metrics));
    }
    if (config.metricsPort !== undefined && metricsSource) {
      const metricsServer = await startMetricsServer({ port: config.metricsPort, token: config.metricsToken, source: metricsSource });
      const closeApp = close;
      close = async () => {
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        await closeApp();
      };
      logger.info(`metrics on http://127.0.0.1:${config.metricsPort}/metrics (this machine only)`);
    }
  } catch (err) {
    await database.stop().catch(() => {});
    throw err;
  }

  app.stop = async (failure) => {
    await close();
    await database.stop().catch(() => {});
    if (failure) fail(failure);
    logger.info('stopped');
    process.exit(0);
  };
  onStopSignals(logger, () => app.stop!());
  if (sandboxMode) logger.warn(sandboxBanner(config, port));
  logger.info({ provider: config.provider, sandbox: sandboxMode }, providerLine(config));
  if (!relyingPartyOf(config.publicUrl))
    logger.warn(`PUBLIC_URL ${config.publicUrl} is an IP address: passkeys are off (browsers refuse them there).`);
  logger.info(listeningLine(config, port, config.webConcurrency));
}

main().catch((err: Error) => fail(err.message));
