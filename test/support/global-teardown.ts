// Jest globalTeardown: closes the run's browser and stops the test database globalSetup started
// (nothing for an external one).
import { takeTestBrowserHandle, takeTestDatabaseHandle } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await takeTestBrowserHandle()?.close();
  await takeTestDatabaseHandle()?.stop();
}
