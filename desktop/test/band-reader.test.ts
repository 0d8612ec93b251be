import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { isUuidV7 } from '@tapline/shared';
import { BandReader, type BandTap } from '../src/nfc/band-reader.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../../e2e/harness/pcscd.ts';
import { placeTag, tap, VIRTUAL_READERS } from '../../e2e/harness/virtual-tag.ts';
import { stateWhere, within } from './helpers/band-reader-events.ts';

// Against the real pcscd, with vsmartcard's vpcd driver as the reader and e2e/harness/virtual-tag.ts as the band.
// pcscd polls every 400 ms, so every step awaits what the reader or the tag reports, never a fixed time.

const [R0, R1] = VIRTUAL_READERS;

const available = pcscdAvailable();
const mustRun = process.env.CI === 'true';
if (!available.ok) {
  console.warn(`\n!!! band-reader tests ${mustRun ? 'FAIL under CI' : 'SKIPPED'}: ${available.reason}\n`);
}

function nextTap(reader: BandReader): Promise<BandTap> {
  return within(new Promise<BandTap>((resolve) => reader.once('tap', resolve)), 'tap');
}

type LogLine = { level: number; msg: string; reader?: string };

describe('BandReader over pcscd and vpcd', { skip: available.ok || mustRun ? false : available.reason }, () => {
  let pcscd: PcscdControl;
  let reader: BandReader;
  let clock = 1_000_000;
  const taps: BandTap[] = [];
  const logs = new EventEmitter<{ line: [LogLine] }>();
  const logLine = (pred: (l: LogLine) => boolean, what: string) =>
    within(
      new Promise<LogLine>((resolve) => {
        const on = (l: LogLine) => {
          if (!pred(l)) return;
          logs.off('line', on);
          resolve(l);
        };
        logs.on('line', on);
      }),
      what,
    );
  const cardGone = () => stateWhere(reader, (s) => !s.cardPresent, 'card removal');

  before(async () => {
    pcscd = await ensurePcscd();
    const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.emit('line', JSON.parse(s) as LogLine) });
    // The bounce window runs on a hand-moved clock: a flap and a deliberate re-tap differ only by elapsed time.
    reader = new BandReader({ logger, now: () => clock });
    reader.on('tap', (t) => taps.push(t));
  });

  after(async () => {
    await reader?.close();
    await pcscd?.stop();
  });

  test('says it is starting before start(), then lists both virtual readers as ready', async () => {
    assert.equal(reader.state().status, 'starting');
    reader.start();
    const s = await stateWhere(reader, (s) => s.status === 'ready' && s.readers.length === 2, 'two ready readers');
    assert.deepEqual(s.readers, [R0.name, R1.name]);
    assert.equal(s.cardPresent, false);
    assert.match(s.message, /\w+/);
  });

  test('a 4-byte band gives one tap with its UID normalised', async () => {
    const before = taps.length;
    const tag = await placeTag('04a1b2c3', { port: R0.port });
    const t = await nextTap(reader);
    assert.equal(t.uid, '04A1B2C3');
    assert.equal(t.reader, R0.name);
    assert.ok(isUuidV7(t.id), `tap id ${t.id} is a UUIDv7`);
    assert.ok(!Number.isNaN(Date.parse(t.at)));
    await tag.remove();
    await cardGone();
    assert.equal(taps.length - before, 1);
  });

  test('a 7-byte band on the second reader gives one tap with its UID normalised', async () => {
    const before = taps.length;
    const tag = await placeTag('04:11:22:33:44:55:66', { port: R1.port });
    const t = await nextTap(reader);
    assert.equal(t.uid, '04112233445566');
    assert.equal(t.reader, R1.name);
    await tag.remove();
    await cardGone();
    assert.equal(taps.length - before, 1);
  });

  test('a band left on the reader through several polls is one tap', async () => {
    const before = taps.length;
    const tag = await placeTag('04C0FFEE', { port: R0.port });
    await nextTap(reader);
    assert.equal(reader.state().cardPresent, true);
    // pcscd has looked at the band three more times; a second read would have asked the tag for its UID again.
    await within(tag.afterPolls(3), 'three more polls');
    assert.equal(tag.uidReads(), 1);
    assert.equal(taps.length - before, 1);
    await tag.remove();
    await cardGone();
    assert.equal(taps.length - before, 1);
  });

  test('a band that flaps straight back is not a new tap; lifted and tapped again, it is', async () => {
    const before = taps.length;
    await tap('04BADA55', { port: R0.port });
    await cardGone();

    // Back before the bounce window has passed (the clock has not moved): read, but no tap.
    const flap = await placeTag('04BADA55', { port: R0.port });
    await within(flap.read, 'the reader reading the flapping band');
    await flap.remove();
    await cardGone();

    clock += 1000;
    const again = nextTap(reader);
    await tap('04BADA55', { port: R0.port });
    await again;
    await cardGone();
    // Each band's read is handled before pcscd can see it leave, so a tap from the flap would be in this list.
    assert.deepEqual(
      taps.slice(before).map((t) => t.uid),
      ['04BADA55', '04BADA55'],
    );
  });

  test('a card whose UID cannot be read is logged and gives no tap', async () => {
    const before = taps.length;
    const logged = logLine((l) => l.level >= 40 && /could not be read/.test(l.msg), 'warning about the unreadable card');
    const bad = await placeTag('0BADCAFE', { port: R0.port, failUidRead: true });
    await within(bad.read, 'the reader asking the unreadable card for its UID');
    const line = await logged;
    assert.equal(line.reader, R0.name);
    await bad.remove();
    await cardGone();

    const good = nextTap(reader);
    await tap('04600D00', { port: R0.port });
    assert.equal((await good).uid, '04600D00');
    assert.deepEqual(
      taps.slice(before).map((t) => t.uid),
      ['04600D00'],
    );
  });

  test('pcscd going away is no_service with a sentence; back again, the reader is ready and taps work', async () => {
    await pcscd.kill();
    const down = await stateWhere(reader, (s) => s.status === 'no_service', 'no_service');
    assert.match(down.message, /pcscd/);
    assert.deepEqual(down.readers, []);

    await pcscd.start();
    const up = await stateWhere(reader, (s) => s.status === 'ready' && s.readers.length === 2, 'ready again');
    assert.deepEqual(up.readers, [R0.name, R1.name]);

    const next = nextTap(reader);
    await tap('04AB12CD34EF56', { port: R1.port });
    const t = await next;
    assert.equal(t.uid, '04AB12CD34EF56');
    assert.equal(t.reader, R1.name);
  });
});
