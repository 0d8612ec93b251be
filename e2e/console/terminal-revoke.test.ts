import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ErrorBody } from '@tapline/shared';
import type { Browser } from 'playwright-core';
import pino from 'pino';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import type { RunningCloud } from '../../cloud/src/start.ts';
import { push, sale } from '../../cloud/test/helpers/facts.ts';
import { startHub, type RunningHub } from '../../hub/src/hub.ts';
import { connectTerminal, pair } from '../../hub/test/helpers.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

/*
 * A stolen kiosk, end to end: head office revokes the terminal on Devices (Chromium) with a reason; the real hub pulls
 * it from the real cloud, drops the terminal's Socket.IO connection with `revoked` and refuses it; Restore lets it back.
 */

const VENUE_KEY = 'console-e2e-venue-key';
const skip = browserMissing() ?? false;

/** The socket's next `event` (socket.io-client's Socket is not a Node EventEmitter, so events.once does not fit). */
function nextEvent<T>(socket: { once(event: string, fn: (arg: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, resolve));
}

describe('console Devices: revoking a terminal reaches the hub (Chromium)', { skip, timeout: 180_000 }, () => {
  let cloud: RunningCloud;
  let stopCloud: () => Promise<void>;
  let hub: RunningHub;
  let hubDir: string;
  let browser: Browser;

  before(async () => {
    ({ cloud, stop: stopCloud } = await startConsoleCloud());
    hubDir = mkdtempSync(path.join(os.tmpdir(), 'tapline-revoke-hub-'));
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

  test('revoke with a reason → the hub disconnects the terminal and refuses it; restore → it connects again', async () => {
    const creds = await pair(hub.url, hub.pairingCode().code, 'Bar North');
    const auth = { v: 1, terminalId: creds.terminalId, token: creds.token };
    const terminal = await connectTerminal(hub.url, auth);
    // The cloud knows terminals from their orders.
    const pushed = await fetch(`${cloud.url}/v1/sync/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VENUE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(push([sale({ terminalId: creds.terminalId, seq: 1 })], hub.hubId)),
    });
    assert.equal(pushed.status, 200);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await ui.goTo('Devices');
    const row = page.getByRole('table', { name: 'Terminals' }).getByRole('row', { name: new RegExp(creds.terminalId) });
    await row.getByRole('button', { name: `Revoke terminal ${creds.terminalId}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this terminal?' });
    const confirm = dialog.getByRole('button', { name: 'Revoke terminal' });
    assert.equal(await confirm.isDisabled(), true, 'a reason is required');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Stolen from the north bar');
    await confirm.click();
    await row.getByText('Revoked').waitFor();
    await row.getByText('Stolen from the north bar').waitFor();

    const told = nextEvent<ErrorBody>(terminal.socket, 'terminal:revoked');
    const gone = nextEvent<string>(terminal.socket, 'disconnect');
    await hub.pullConfigNow();
    assert.deepEqual(await told, { code: 'revoked', message: 'This terminal was revoked by head office: Stolen from the north bar' });
    assert.equal(await gone, 'io server disconnect');
    await assert.rejects(connectTerminal(hub.url, auth), (err: Error & { data?: ErrorBody }) => err.data?.code === 'revoked');
    const standing = hub.status().terminals.find((t) => t.id === creds.terminalId);
    assert.deepEqual([standing?.revoked, standing?.revokedReason], [true, 'Stolen from the north bar']);

    await row.getByRole('button', { name: `Restore terminal ${creds.terminalId}` }).click();
    await row.getByText('Active').waitFor();
    await hub.pullConfigNow();
    const back = await connectTerminal(hub.url, auth);
    back.close();
    await context.close();
  });
});
