import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sale } from '../../cloud/test/helpers/facts.ts';
import { nextEvent } from '../../cloud/test/helpers/jobs.ts';
import { connectTerminal, eventually, pair } from '../../hub/test/helpers.ts';
import { browserMissing } from '../harness/browser.ts';
import { consoleWithHubPerSuite } from './console-fixture.ts';

/*
 * Devices lists every terminal paired at the venue's hub, sold or not: the real hub reports its terminals on its
 * configuration pull to the real cloud, and a sale made through the hub is counted on its terminal's row (Chromium).
 */

const skip = browserMissing() ?? false;

describe('console Devices: every paired terminal, from the hub (Chromium)', { skip, timeout: 180_000 }, () => {
  const venue = consoleWithHubPerSuite();

  test('a terminal that sold and one that never did are both listed, with their hub, link and sales', async () => {
    const { cloud, hub, ownerOn } = venue();
    const north = await pair(hub.url, hub.pairingCode().code, 'North bar');
    const spare = await pair(hub.url, hub.pairingCode().code, 'Spare kiosk');
    const terminal = await connectTerminal(hub.url, { v: 1, terminalId: north.terminalId, token: north.token });

    // A sale through the hub: its upload's ingest counts it, and queues the tab job whose end is awaited here.
    const beer = sale({ terminalId: north.terminalId, seq: 1, band: 2 });
    const uploaded = nextEvent(cloud, 'tabs:recomputed', (job) => job.bandUids.includes(beer.bandUid));
    const ack = await terminal.push([beer]);
    assert.equal(ack.ok, true, JSON.stringify(ack));
    await uploaded;
    await eventually(() => hub.status().queueDepth === 0, 'the hub to settle its upload');
    // The first pull after start learns that the cloud takes terminal reports; the next one carries the report.
    await hub.pullConfigNow();
    await hub.pullConfigNow();

    const { context, page } = await ownerOn('Devices');
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
    // Reported with nothing waiting at the hub: its sale is uploaded, and the spare never sold.
    for (const row of [northRow, spareRow]) await row.getByRole('cell').nth(3).getByTestId('terminal-upload').filter({ hasText: /^Uploaded$/ }).waitFor();
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
