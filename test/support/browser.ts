/**
 * The headless Chromium the browser tests drive: the build the npm package @sparticuz/chromium
 * ships inside its tarball (unpacked into the temporary directory on first use), so `npm test`
 * needs nothing beyond `npm ci`. Debian's chromium is not required.
 */
import chromiumBuild from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** Launches the npm-shipped Chromium headless; flags kept to what a sandbox-less CI container needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumBuild.executablePath();
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-zygote', '--disable-dev-shm-usage'] });
}
