/** The chaos drain waits while anything moves and gives up only on a stall or at the cap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DrainStalled, DrainWatch, RateMeter } from '../../scripts/lib/drain-watch.ts';

test('any counter growing is progress; a stall longer than the window fails with what was awaited', () => {
  let clock = 0;
  const w = new DrainWatch({ stallMs: 120_000, capMs: 3_600_000, now: () => clock });
  w.observe({ acked: 10, uploaded: 5 });
  clock = 100_000;
  w.observe({ acked: 10, uploaded: 6 });
  assert.equal(w.lastProgressAt, 100_000);
  clock = 200_000;
  w.observe({ acked: 10, uploaded: undefined }); // an unreadable figure is neither progress nor its absence
  w.check('the cloud'); // 100 s since the last progress: still inside the window
  w.observe({ acked: 9, uploaded: 6 }); // going back (a restarted count) is not progress either
  clock = 220_001;
  assert.throws(() => w.check('the cloud to hold all 6 orders'), (e: Error) => e instanceof DrainStalled && /nothing moved for 120 s while waiting for the cloud to hold all 6 orders/.test(e.message));
});

test('a drain that keeps moving still ends at the cap', () => {
  let clock = 0;
  const w = new DrainWatch({ stallMs: 10_000, capMs: 60_000, now: () => clock });
  for (let n = 0; n <= 60; n++) {
    clock = n * 1000;
    w.observe({ uploaded: n });
    w.check('x');
  }
  clock = 61_000;
  w.observe({ uploaded: 61 });
  assert.throws(() => w.check('x'), /after 61 s \(the cap/);
});

test('until() returns once done, observing progress on each round', async () => {
  const w = new DrainWatch({ stallMs: 60_000, capMs: 60_000 });
  let n = 0;
  await w.until('three rounds', () => ({ n }), () => ++n >= 3, { intervalMs: 1 });
  assert.equal(n, 3);
});

test('with maxDuty, a slow check waits the rest of its share before the next round', async () => {
  let clock = 0;
  const w = new DrainWatch({ stallMs: 600_000, capMs: 600_000, now: () => clock });
  const pauses: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  // The pause is the only timer until() sets: record it and fire at once, so no test waits 27 s.
  globalThis.setTimeout = ((fn: () => void, ms: number) => (pauses.push(ms), realSetTimeout(fn, 0))) as typeof setTimeout;
  try {
    let rounds = 0;
    await w.until('tabs', () => ({ rounds }), () => {
      clock += 3000; // a round of reads that took 3 s
      return ++rounds >= 2;
    }, { maxDuty: 0.1 });
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.deepEqual(pauses, [27_000]);
});

test('the drain rate is measured over the window and gives an ETA', () => {
  let clock = 0;
  const r = new RateMeter(30_000, () => clock);
  r.record(0);
  assert.equal(r.perSecond(), null, 'one sample is no rate');
  assert.equal(r.etaSeconds(100), null);
  for (clock = 1000; clock <= 40_000; clock += 1000) r.record(clock / 10); // 100 a second
  assert.equal(r.perSecond(), 100);
  assert.equal(r.etaSeconds(6000), 60);
  assert.equal(r.etaSeconds(0), 0);
});
