/** The chaos progress line's figures: one read at a time, cut off by a timeout, and stale ones shown with their age. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chaosLine } from '../../scripts/lib/chaos-line.ts';
import { formatDuration, LiveFigure } from '../../scripts/lib/live-figure.ts';
import type { HubFigures } from '../../scripts/lib/venue-figures.ts';

test('a read that never answers is abandoned at the timeout; the figure keeps its value and shows its age', async () => {
  let clock = 1_000_000;
  const answers: Array<(n: number) => void> = [];
  const signals: AbortSignal[] = [];
  let hang = false;
  const fig = new LiveFigure<number>(
    (signal) => {
      signals.push(signal);
      // Ignores its signal on purpose: the figure must not depend on the reader honouring it.
      return hang ? new Promise<number>(() => undefined) : new Promise<number>((r) => answers.push(r));
    },
    { everyMs: 1000, timeoutMs: 20, now: () => clock },
  );
  assert.equal(fig.text(String), '?');

  const first = fig.refresh();
  fig.poll(); // one read at a time: no second read while the first is out
  assert.equal(signals.length, 1);
  answers[0]!(41_200);
  assert.equal(await first, 41_200);
  assert.equal(fig.text((n) => n.toLocaleString('en-US')), '41,200');

  hang = true;
  clock += 1000;
  const stuck = await fig.refresh();
  assert.equal(stuck, 41_200, 'a failed read answers the last value');
  assert.equal(signals[1]!.aborted, true, 'the abandoned read was told to stop');
  assert.match(fig.lastError ?? '', /no answer within 20 ms/);

  clock += 11_000; // 12 s since the good read: past everyMs + timeoutMs
  assert.equal(fig.fresh, false);
  assert.equal(fig.text((n) => n.toLocaleString('en-US')), '41,200 (12 s ago)');
  fig.poll();
  assert.equal(signals.length, 3, 'the next poll reads again: the stuck read no longer blocks it');
});

test('the progress line shows stale figures with their age and, once draining, the rate and what is left', async () => {
  let clock = 0;
  const hub = new LiveFigure<HubFigures>(async () => ({ ordersReceived: 900, queueDepth: 300, uploaded: 600, uplink: 'online' }), { everyMs: 1000, timeoutMs: 1000, now: () => clock });
  const cloud = new LiveFigure<number>(async () => 41_200, { everyMs: 5000, timeoutMs: 4000, now: () => clock });
  await hub.refresh();
  await cloud.refresh();
  clock = 12_000;
  await hub.refresh();
  const base = { elapsedSeconds: 312, sold: 98_400, target: 100_000, atHub: 97_950, silent: 2, hub, cloud, kills: 21, faults: 1830 };
  assert.equal(
    chaosLine(base),
    '5 min 12 s  sold 98,400/100,000 (2 terminals silent)  at hub 97,950  hub→cloud queue 300  in cloud 41,200 (12 s ago)  kills 21  faults 1,830',
  );
  assert.match(chaosLine({ ...base, silent: 0, drain: { perSecond: 142, etaSeconds: 87 } }), /at hub 97,950 .* draining 142\/s, ~1 min 27 s left$/);
  assert.match(chaosLine({ ...base, drain: { perSecond: null, etaSeconds: null } }), /draining \(no progress yet\)$/);
  assert.equal(formatDuration(3725), '1 h 02 min');
});

test('with maxDuty, a slow read spaces out the next ones (and the figure stays fresh for that longer gap)', async () => {
  let clock = 0;
  const fig = new LiveFigure<number>(
    async () => {
      clock += 800; // the aggregate took 800 ms of the reader's time
      return 7;
    },
    { everyMs: 5000, timeoutMs: 4000, maxDuty: 0.1, now: () => clock },
  );
  await fig.refresh();
  assert.equal(fig.gapMs, 8000);
  clock = 7000;
  fig.poll();
  assert.equal(clock, 7000, 'no read before the gap has passed');
  assert.equal(fig.fresh, true, '6.2 s old is the latest scheduled read');
  clock = 8000;
  fig.poll();
  assert.equal(clock, 8800, 'read again once the gap has passed');
});
