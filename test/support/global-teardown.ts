// Jest globalTeardown: stops the test database globalSetup started (nothing for an external one).
import { takeTestDatabaseHandle } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await takeTestDatabaseHandle()?.stop();
}
