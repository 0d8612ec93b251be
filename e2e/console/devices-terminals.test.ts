import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import pino from 'pino';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import type { RunningCloud } from '../../cloud/src/start.ts';
import { sale } from '../../cloud/test/helpers/facts.ts';
import { nextEvent } from '../../cloud/test/helpers/jobs.ts';
import { startHub, type RunningHub } from '../../hub/src/hub.ts';
import { connectTerminal, pair } from '../../hub/test/helpers.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

/*
 * Devices lists every terminal paired at the venue's hub, sold or not: the real hub reports its terminals on its
 * configuration pull to the real cloud, and a sale made through the hub is counted on its terminal's row (Chromium).
 */

const VENUE_KEY = 'console-e2e-venue-key';
const skip = browserMissing() ?? false;

describe('console Devices: every paired terminal, from the hub (Chromium)', { skip, timeout: 180_000 }, () => {
  let cloud: RunningCloud;
  let stopCloud: () => Promise<void>;
  let hub: RunningHub;
  let hubDir: string;
  let browser: Browser;

  before(async () => {
    ({ cloud, stop: stopCloud } = await startConsoleCloud());
    hubDir = mkdtempSync(path.join(os.tmpdir(), 'tapline-devices-hub-'));
    // Pulls are driven with pullConfigNow(), so each step is awaited rather than slept on.
    hub = await startHub({ port: 0, host: '127.0.0.1', dataDir: hubDir, cloudUrl: cloud.url, venueKey: VENUE_KEY, pullIntervalMs: 60_000, logger: pino({ level: 'silent' }) });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
    await stopCloud?.();
    if (hubDir) rmSync(hubDir, { recursive: true, force: true });
  });

  test('a terminal that sold and one that never did are both listed, with their hub, link and sales', async () => {
    const north = await pair(hub.url, hub.pairingCode().code, 'North bar');
    const spare = await pair(hub.url, hub.pairingCode().code, 'Spare kiosk');
    const terminal = await connectTerminal(hub.url, { v: 1, terminalId: north.terminalId, token: north.token });

    // A sale through the hub: its upload's ingest counts it, and queues the tab job whose end is awaited here.
    const beer = sale({ terminalId: north.terminalId, seq: 1, band: 2 });
    const uploaded = nextEvent(cloud, 'tabs:recomputed', (job) => job.bandUids.includes(beer.bandUid));
    const ack = await terminal.push([beer]);
    assert.equal(ack.ok, true, JSON.stringify(ack));
    await uploaded;
    // The first pull after start learns that the cloud takes terminal reports; the next one carries the report.
    await hub.pullConfigNow();
    await hub.pullConfigNow();

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await ui.goTo('Devices');
    const table = page.getByRole('table', { name: 'Terminals' });
    const northRow = table.getByRole('row', { name: new RegExp(north.terminalId) });
    const spareRow = table.getByRole('row', { name: new RegExp(spare.terminalId) });
    await northRow.getByText('North bar').waitFor();
    await northRow.getByText('Connected').waitFor();
    await spareRow.getByText('Spare kiosk').waitFor();
    await spareRow.getByText('Never connected').waitFor();
    await spareRow.getByText('None yet').waitFor();
    assert.equal(await table.getByRole('row').count(), 3, 'a header and the two terminals');
    await northRow.getByRole('cell').nth(3).filter({ hasText: /^1received / }).waitFor();
    for (const row of [northRow, spareRow]) assert.match((await row.textContent()) ?? '', new RegExp(`On hub ${hub.hubId}`));

    // Revoking the one that never sold works like any other.
    await spareRow.getByRole('button', { name: `Revoke terminal ${spare.terminalId}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this terminal?' });
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Left in the van');
    await dialog.getByRole('button', { name: 'Revoke terminal' }).click();
    await spareRow.getByText('Revoked').waitFor();
    terminal.close();
    await context.close();
  });
});
