import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { BandReader, type BandBounce, type BandTap } from '../src/nfc/band-reader.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../../e2e/harness/pcscd.ts';
import { placeTag, tap, VIRTUAL_READERS } from '../../e2e/harness/virtual-tag.ts';
import { stateWhere, within } from './helpers/band-reader-events.ts';

// A band re-tapped within the bounce window is dropped (not a tap) but told as `bounce`, so the screen waiting for a
// tap can say to lift it away and tap again. Against the real pcscd and vpcd; the bounce window runs on a hand-moved
// clock, so a flap and a deliberate re-tap differ only by the time the test says has passed.

const [R0] = VIRTUAL_READERS;

const available = pcscdAvailable();
const mustRun = process.env.CI === 'true';
if (!available.ok) console.warn(`\n!!! band-reader-bounce tests ${mustRun ? 'FAIL under CI' : 'SKIPPED'}: ${available.reason}\n`);

describe('BandReader tells a dropped re-tap (pcscd and vpcd)', { skip: available.ok || mustRun ? false : available.reason }, () => {
  let pcscd: PcscdControl;
  let reader: BandReader;
  let clock = 1_000_000;
  const taps: BandTap[] = [];
  const bounces: BandBounce[] = [];
  const cardGone = () => stateWhere(reader, (s) => !s.cardPresent, 'card removal');

  before(async () => {
    pcscd = await ensurePcscd();
    reader = new BandReader({ logger: pino({ level: 'silent' }), now: () => clock });
    reader.on('tap', (t) => taps.push(t));
    reader.on('bounce', (b) => bounces.push(b));
    reader.start();
    await stateWhere(reader, (s) => s.status === 'ready' && s.readers.includes(R0.name), 'a ready reader');
  });

  after(async () => {
    await reader?.close();
    await pcscd?.stop();
  });

  test('the same band back inside the window is a bounce, not a tap; once the window has passed it is a tap again', async () => {
    const firstTap = within(new Promise<BandTap>((resolve) => reader.once('tap', resolve)), 'first tap');
    await tap('04B0B0B0', { port: R0.port });
    await firstTap;
    await cardGone();

    const bounced = within(new Promise<BandBounce>((resolve) => reader.once('bounce', resolve)), 'bounce');
    const flap = await placeTag('04B0B0B0', { port: R0.port });
    const b = await bounced;
    assert.equal(b.uid, '04B0B0B0');
    assert.equal(b.reader, R0.name);
    assert.ok(!Number.isNaN(Date.parse(b.at)));
    await flap.remove();
    await cardGone();

    clock += 1000;
    const second = within(new Promise<BandTap>((resolve) => reader.once('tap', resolve)), 'second tap');
    await tap('04B0B0B0', { port: R0.port });
    await second;
    await cardGone();
    // Each read is handled before pcscd can see the band leave, so anything extra would be in these lists by now.
    assert.deepEqual(
      taps.map((t) => t.uid),
      ['04B0B0B0', '04B0B0B0'],
    );
    assert.deepEqual(
      bounces.map((x) => x.uid),
      ['04B0B0B0'],
    );
  });
});
