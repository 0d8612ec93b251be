import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import type { RunningCloud } from '../src/start.ts';
import { ADMIN_TOKEN, api, VENUE_KEY } from './helpers/cloud.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { nextEvent, readTab, tabWhere } from './helpers/jobs.ts';
import { useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

describe('tab recalculator: a price fix for past orders', { skip, timeout: 120_000 }, () => {
  let cloud: RunningCloud;

  useSeededCloud((s) => ({ cloud } = s));

  test('"beer was 5.50, should have been 5.00": every affected tab is recomputed, and no other', async () => {
    const hub = api(cloud.url, VENUE_KEY);
    const admin = api(cloud.url, ADMIN_TOKEN);
    const pils = (quantity: number, unitPrice = 550) => ({ productId: 'beer-pils', name: 'Pils 0.5 l', quantity, unitPrice });
    const cola = { productId: 'soft-cola', name: 'Cola', quantity: 1, unitPrice: 350 };
    const [b1, b2, b3, b4, b5] = [1, 2, 3, 4, 5].map(demoBandUid) as [string, string, string, string, string];
    const facts = [
      sale({ band: 1, lines: [pils(2)] }),
      sale({ band: 2, lines: [pils(1), cola] }),
      // Sold at another price: the fix names 5.50, so this one stays.
      sale({ band: 3, lines: [pils(1, 600)] }),
      sale({ band: 4, lines: [cola] }),
      sale({ band: 5, lines: [{ productId: 'beer-ipa', name: 'IPA 0.33 l', quantity: 1, unitPrice: 550 }] }),
    ];
    const settled = Promise.all([b1, b2, b3, b4, b5].map((b) => tabWhere(cloud, DEMO_EVENT_ID, b, (t) => t.sales === 1)));
    await hub.post('/v1/sync/push', push(facts));
    const before = await settled;
    assert.deepEqual(
      before.map((t) => t.total),
      [1100, 900, 600, 350, 550],
    );

    const recalculated = nextEvent(cloud, 'tabs:recalculated', (job) => job.eventId === DEMO_EVENT_ID);
    const fixed1 = tabWhere(cloud, DEMO_EVENT_ID, b1, (t) => t.total === 1000);
    const fixed2 = tabWhere(cloud, DEMO_EVENT_ID, b2, (t) => t.total === 850);
    const res = await admin.post(`/v1/admin/events/${DEMO_EVENT_ID}/price-fixes`, {
      productId: 'beer-pils',
      fromUnitPrice: 550,
      toUnitPrice: 500,
      reason: 'The menu board said 5.00',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.priceFix.kind, 'price_fix');
    assert.equal(res.body.priceFix.currency, 'EUR');

    const [job] = await recalculated;
    assert.deepEqual(job.bandUids, [b1, b2], 'only the bands with a Pils sold at 5.50');
    const [tab1, tab2] = await Promise.all([fixed1, fixed2]);
    assert.equal(tab1.subtotal, 1000);
    assert.equal(tab2.total, 500 + 350);
    const line = (tab1.priced as { orders: { lines: { recordedUnitPrice: number; unitPrice: number; priceFixId: string }[] }[] }).orders[0]!.lines[0]!;
    assert.deepEqual(line, { ...line, recordedUnitPrice: 550, unitPrice: 500, priceFixId: res.body.priceFix.id });

    // The others were not touched at all: same figures, same time of last recompute.
    for (const [i, b] of [b3, b4, b5].entries()) {
      const now = await readTab(cloud, DEMO_EVENT_ID, b);
      assert.deepEqual(now, before[i + 2], `band ${b} was left alone`);
    }

    // A sale made at the old price that arrives after the fix is priced by it too.
    const late = tabWhere(cloud, DEMO_EVENT_ID, b4, (t) => t.sales === 2);
    await hub.post('/v1/sync/push', push([sale({ band: 4, lines: [pils(1)] })]));
    assert.equal((await late).total, 350 + 500);
  });
});
