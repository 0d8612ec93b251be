import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; playwright never downloads its own browser here. */
export const CHROMIUM = process.env.TAPLINE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why Chromium-driven suites cannot run on this machine, or null when they can. Under CI=true a missing part is a
 * failure, never a skip.
 */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set TAPLINE_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI must run the browser suites.`);
  console.error(`\n  SKIPPING browser tests: ${why}.\n`);
  return why;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
