/**
 * The pcscd harness against the real pcscd: a vpcd port held by another socket (an outgoing connection that the
 * kernel gave 35963 as its ephemeral port) once kept the virtual readers away and failed CI. Start-up must see it,
 * wait for the port, and come up with its readers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pcscdReachable } from '../../desktop/src/nfc/pcscd-socket.ts';
import { ensurePcscd, pcscdAvailable } from './pcscd.ts';
import { holdPort } from './port-holder.ts';
import { placeTag, VIRTUAL_READERS } from './virtual-tag.ts';

const available = pcscdAvailable();
if (!available.ok) {
  if (process.env.CI === 'true') throw new Error(`the pcscd harness test needs pcscd with vpcd: ${available.reason}`);
  console.error(`\n  SKIPPING the pcscd harness test: ${available.reason}.\n`);
}

test('pcscd start-up waits out a socket holding a vpcd port, then has its readers', { skip: !available.ok, timeout: 180_000 }, async (t) => {
  if (await pcscdReachable()) {
    if (process.env.CI === 'true') assert.fail('a pcscd is already running, so the harness cannot show its own start-up');
    t.skip('a pcscd is already running here');
    return;
  }
  const port = await holdPort(VIRTUAL_READERS[0].port);
  t.after(() => port.stop());

  let waitedFor = '';
  const pcscd = await ensurePcscd({
    onPortWait: (held) => {
      waitedFor = held;
      port.release();
    },
  });
  t.after(() => pcscd.stop());
  assert.match(waitedFor, new RegExp(`port ${VIRTUAL_READERS[0].port} is the local port of an open connection`));
  assert.equal(pcscd.started, true);
  // The reader is pcscd's: it polls a band placed on it.
  const band = await placeTag('04A1B2C3D4E5F6');
  await band.afterPolls(1);
  assert.ok(band.polls() >= 1);
  await band.remove();
});
