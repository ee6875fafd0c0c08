// The one Chromium of a Jest run: Debian's, launched headless by globalSetup as a Playwright
// browser server on the loopback. Each browser test file connects to it and works in contexts of
// its own (own cookies, storage and clock), so a file pays for a connection, not a browser start.
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
/** Where globalSetup tells the workers the browser is (they inherit its environment). */
const ENDPOINT_ENV = 'TEST_CHROMIUM_WS_ENDPOINT';

/** For globalSetup: starts the run's browser and publishes its endpoint to the workers. */
export async function launchSharedChromium(): Promise<BrowserServer> {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, host: '127.0.0.1' });
  process.env[ENDPOINT_ENV] = server.wsEndpoint();
  return server;
}

/**
 * The run's browser when globalSetup started one, else a browser of this file's own. Closing
 * either closes this file's contexts; the shared one runs on for the other files.
 */
export async function openChromium(): Promise<Browser> {
  const endpoint = process.env[ENDPOINT_ENV];
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
