import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ErrorBody } from '@tapline/shared';
import { push, sale } from '../../cloud/test/helpers/facts.ts';
import { connectTerminal, pair } from '../../hub/test/helpers.ts';
import { browserMissing } from '../harness/browser.ts';
import { CONSOLE_VENUE_KEY, consoleWithHubPerSuite } from './console-fixture.ts';

/*
 * A stolen kiosk, end to end: head office revokes the terminal on Devices (Chromium) with a reason; the real hub pulls
 * it from the real cloud, drops the terminal's Socket.IO connection with `revoked` and refuses it; Restore lets it back.
 */

const skip = browserMissing() ?? false;

/** The socket's next `event` (socket.io-client's Socket is not a Node EventEmitter, so events.once does not fit). */
function nextEvent<T>(socket: { once(event: string, fn: (arg: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, resolve));
}

describe('console Devices: revoking a terminal reaches the hub (Chromium)', { skip, timeout: 180_000 }, () => {
  const venue = consoleWithHubPerSuite();

  test('revoke with a reason → the hub disconnects the terminal and refuses it; restore → it connects again', async () => {
    const { cloud, hub, ownerOn } = venue();
    const creds = await pair(hub.url, hub.pairingCode().code, 'Bar North');
    const auth = { v: 1, terminalId: creds.terminalId, token: creds.token };
    const terminal = await connectTerminal(hub.url, auth);
    // The cloud knows terminals from their orders.
    const pushed = await fetch(`${cloud.url}/v1/sync/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CONSOLE_VENUE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(push([sale({ terminalId: creds.terminalId, seq: 1 })], hub.hubId)),
    });
    assert.equal(pushed.status, 200);

    const { context, page } = await ownerOn('Devices');
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
