// Data written by earlier versions, moved to this version's names before the app serves. Run
// once per start, by the process that owns the start (the cluster's primary, else the server).
import type { Connection } from 'mongoose';
import type { Logger } from '../platform/logger';
import { migratePushData } from '../twofa/push-data-migration';

export async function migrateData(connection: Connection, logger: Logger): Promise<void> {
  const moved = await migratePushData(connection);
  if (moved.claims > 0 || moved.requests > 0) {
    logger.info(moved, `moved push data to its new names: ${moved.claims} claims, ${moved.requests} requests`);
  }
}
