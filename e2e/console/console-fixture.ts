import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import pino from 'pino';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { startCloud, type RunningCloud } from '../../cloud/src/start.ts';
import { startHub, type RunningHub } from '../../hub/src/hub.ts';
import { launchBrowser } from '../harness/browser.ts';
import { ConsolePage } from './console-page.ts';

/** The key the demo venue is seeded with: what a hub of that venue sends. */
export const CONSOLE_VENUE_KEY = 'console-e2e-venue-key';

/** A cloud in this process on a free port, on a fresh PGlite, seeded with the demo (its organisation and people). */
export async function startConsoleCloud(): Promise<{ cloud: RunningCloud; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tapline-console-'));
  const cloud = await startCloud({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminToken: 'console-e2e-admin-token',
    seedDemo: { venueKey: CONSOLE_VENUE_KEY, bands: 20 },
    jobPollingIntervalSeconds: 0.5,
    payments: { sweepIntervalSeconds: 0 },
    log: pino({ level: process.env.TAPLINE_LOG_LEVEL ?? 'silent' }),
  });
  return {
    cloud,
    stop: async () => {
      await cloud.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ConsoleWithHub {
  cloud: RunningCloud;
  hub: RunningHub;
  browser: Browser;
  /** A new window at 1440×900, signed in as the demo's owner, on the screen the console's navigation calls `screen`. */
  ownerOn(screen: string): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

/** The console's cloud with the demo venue's real hub on it, and Chromium: what a screen fed by a hub's reports needs. */
async function startConsoleWithHub(): Promise<ConsoleWithHub> {
  const { cloud, stop: stopCloud } = await startConsoleCloud();
  const hubDir = mkdtempSync(path.join(os.tmpdir(), 'tapline-console-hub-'));
  let hub: RunningHub | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await hub?.close();
    await stopCloud();
    rmSync(hubDir, { recursive: true, force: true });
  };
  try {
    // Pulls are driven with pullConfigNow(), so each step is awaited rather than slept on.
    hub = await startHub({ port: 0, host: '127.0.0.1', dataDir: hubDir, cloudUrl: cloud.url, venueKey: CONSOLE_VENUE_KEY, pullIntervalMs: 60_000, logger: pino({ level: 'silent' }) });
    browser = await launchBrowser();
  } catch (err) {
    await stop();
    throw err;
  }
  const started = browser;
  const ownerOn = async (screen: string) => {
    const context = await started.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await ui.goTo(screen);
    return { context, page };
  };
  return { cloud, hub, browser, ownerOn, stop };
}

/** One for the enclosing describe: started before its first test, stopped after its last. */
export function consoleWithHubPerSuite(): () => ConsoleWithHub {
  let venue: ConsoleWithHub | undefined;
  before(async () => {
    venue = await startConsoleWithHub();
  });
  after(() => venue?.stop());
  return () => {
    if (!venue) throw new Error('the console and its hub did not start');
    return venue;
  };
}
