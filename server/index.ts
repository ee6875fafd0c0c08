// The only module with side effects: load config, start or reach the database, listen.
import 'dotenv/config';
import path from 'node:path';
import pretty from 'pino-pretty';
import { isSandboxMode } from './compose';
import { loadConfig, type Config } from './config';
import { readOrCreateSecret } from './data-dir';
import { connectDatabase } from './db/connect';
import { resolveDatabase } from './db/resolve';
import { createLogger } from './logger';
import { relyingPartyOf } from './passkeys/relying-party';
import { PUBLIC_DIR, REPO_ROOT } from './paths';
import { startServer } from './start-server';

const DATA_DIR = path.join(REPO_ROOT, '.data');

function sandboxBanner(config: Config, port: number): string {
  return [
    '',
    '  SANDBOX MODE: no ACCOUNT_SECURITY_API_KEY is set, so the app talks to its embedded Authy.',
    `  Codes and push requests appear at http://localhost:${port}/sandbox ("the phone") and in this log.`,
    '  Set ACCOUNT_SECURITY_API_KEY to use the real Authy API. Never expose sandbox mode to the internet.',
    `  Listening on ${config.host} only${config.host === '127.0.0.1' ? ' (set HOST to change)' : ''}.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  // A person at a terminal gets readable lines; anything else (a log shipper) gets JSON.
  const logger = createLogger(
    config.logLevel,
    process.stdout.isTTY && config.nodeEnv !== 'production'
      ? pretty({ colorize: true, ignore: 'pid,hostname,method,path,status,ms' })
      : undefined,
  );
  const sandboxMode = isSandboxMode(config);

  const database = await resolveDatabase({ uri: config.mongodbUri, dataDir: DATA_DIR, ephemeral: false, logger });
  logger.info(
    { database: database.kind },
    `database: ${database.kind === 'external' ? 'MONGODB_URI' : `embedded ${database.kind}, data in .data/`}`,
  );
  const { connection, isFerretDB } = await connectDatabase(database.uri, { dbName: config.mongodbUri ? undefined : 'account_security' });

  const running = await startServer({
    config,
    port: config.port,
    host: config.host,
    connection,
    isFerretDB,
    logger,
    sessionSecret: config.sessionSecret ?? readOrCreateSecret(DATA_DIR, 'session-secret'),
    sandboxKey: sandboxMode ? (config.sandboxKey ?? readOrCreateSecret(DATA_DIR, 'sandbox-api-key')) : '',
    publicDir: PUBLIC_DIR,
  });
  if (sandboxMode) logger.warn(sandboxBanner(config, running.port));
  if (!relyingPartyOf(config.publicUrl))
    logger.warn(`PUBLIC_URL ${config.publicUrl} is an IP address: passkeys are off (browsers refuse them there).`);
  logger.info(`Account Security Quickstart listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${running.port}`);

  const shutdown = async (signal: string) => {
    logger.info(`${signal}: shutting down`);
    await running.close();
    await connection.close().catch(() => {});
    await database.stop().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  // One line naming the problem (a bad variable, no database); no stack for expected failures.
  console.error(`account-security-quickstart: ${err.message}`);
  process.exit(1);
});
