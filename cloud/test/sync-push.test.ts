import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { orderConflicts, orders } from '../src/db/schema.ts';
import type { RunningCloud } from '../src/start.ts';
import { api } from './helpers/cloud.ts';
import { databaseSkipReason } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';
import { type Api, useSeededCloud } from './helpers/seeded-cloud.ts';

const skip = await databaseSkipReason();

describe('POST /v1/sync/push', { skip }, () => {
  let cloud: RunningCloud;
  let hub: Api;

  const rowCount = async (id?: string) => {
    const [row] = await cloud.database.db.select({ n: count() }).from(orders).where(id ? eq(orders.id, id) : undefined);
    return row!.n;
  };

  useSeededCloud((s) => ({ cloud, hub } = s));

  test('stores new orders and answers one result per item in order', async () => {
    const a = sale({ band: 1 });
    const b = sale({ band: 2 });
    const v = voidOf(a);
    const res = await hub.post('/v1/sync/push', push([a, b, v]));
    assert.equal(res.status, 200);
    assert.equal(res.body.v, 1);
    assert.deepEqual(res.body.results, [
      { id: a.id, status: 'stored' },
      { id: b.id, status: 'stored' },
      { id: v.id, status: 'stored' },
    ]);
    const [row] = await cloud.database.db.select().from(orders).where(eq(orders.id, a.id));
    assert.equal(row!.total, a.total);
    assert.equal(row!.hubId, 'hub-test');
    assert.deepEqual(row!.body, a);
  });

  test('the same batch twice gives duplicates and never a second row', async () => {
    const s = sale({ band: 3 });
    const first = await hub.post('/v1/sync/push', push([s]));
    assert.deepEqual(first.body.results, [{ id: s.id, status: 'stored' }]);
    const again = await hub.post('/v1/sync/push', push([s]));
    assert.deepEqual(again.body.results, [{ id: s.id, status: 'duplicate' }]);
    // Keys in another order are the same content.
    const reordered = Object.fromEntries(Object.entries(s).reverse());
    const third = await hub.post('/v1/sync/push', push([reordered]));
    assert.deepEqual(third.body.results, [{ id: s.id, status: 'duplicate' }]);
    assert.equal(await rowCount(s.id), 1);
  });

  test('same id with other content is a conflict, kept in order_conflicts, the stored row untouched', async () => {
    const s = sale({ band: 4 });
    await hub.post('/v1/sync/push', push([s]));
    const forged = { ...s, lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 1, unitPrice: 550 }], total: 550 };
    const res = await hub.post('/v1/sync/push', push([forged], 'hub-other'));
    assert.equal(res.status, 200);
    const [result] = res.body.results;
    assert.equal(result.status, 'conflict');
    assert.equal(result.error.code, 'conflict');
    assert.match(result.error.message, /other content/);
    const kept = await cloud.database.db.select().from(orderConflicts).where(eq(orderConflicts.orderId, s.id));
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.hubId, 'hub-other');
    assert.equal((kept[0]!.body as { total: number }).total, 550);
    assert.notEqual(kept[0]!.fingerprint, kept[0]!.existingFingerprint);
    const [stored] = await cloud.database.db.select().from(orders).where(eq(orders.id, s.id));
    assert.equal(stored!.total, 1100);
    // Resending the same conflicting copy reports it again but keeps one review row.
    const again = await hub.post('/v1/sync/push', push([forged], 'hub-other'));
    assert.equal(again.body.results[0].status, 'conflict');
    const keptAgain = await cloud.database.db.select().from(orderConflicts).where(eq(orderConflicts.orderId, s.id));
    assert.equal(keptAgain.length, 1);
  });

  test('a mixed batch stores the valid items and reports each of the others', async () => {
    const good1 = sale({ band: 5 });
    const good2 = sale({ band: 6 });
    const badTotal = { ...sale({ band: 5 }), total: 1 };
    const unknownEvent = sale({ band: 5, eventId: 'someone-elses-event' });
    const res = await hub.post('/v1/sync/push', push([good1, badTotal, 'not an order', unknownEvent, good2, good1]));
    assert.equal(res.status, 200);
    const results = res.body.results as { id: string; status: string; error?: { code: string; message: string } }[];
    assert.equal(results.length, 6);
    assert.deepEqual(results[0], { id: good1.id, status: 'stored' });
    assert.equal(results[1]!.id, badTotal.id);
    assert.equal(results[1]!.status, 'invalid');
    assert.equal(results[1]!.error!.code, 'invalid_item');
    assert.match(results[1]!.error!.message, /total/);
    assert.deepEqual(results[2]!.id, '#2');
    assert.equal(results[2]!.status, 'invalid');
    assert.equal(results[3]!.id, unknownEvent.id);
    assert.equal(results[3]!.status, 'invalid');
    assert.match(results[3]!.error!.message, /someone-elses-event/);
    assert.deepEqual(results[4], { id: good2.id, status: 'stored' });
    assert.deepEqual(results[5], { id: good1.id, status: 'duplicate' });
    assert.equal(await rowCount(good1.id), 1);
    assert.equal(await rowCount(good2.id), 1);
    assert.equal(await rowCount(badTotal.id), 0);
    assert.equal(await rowCount(unknownEvent.id), 0);
  });

  test('a bad envelope is a 400 with a code and writes nothing', async () => {
    const before = await rowCount();
    const s = sale({ band: 7 });
    const cases: [string, () => Promise<{ status: number; body: any }>, string][] = [
      ['not JSON', () => hub.postRaw('/v1/sync/push', '{"v":1,"hubId":'), 'invalid_body'],
      ['wrong version', () => hub.post('/v1/sync/push', { v: 2, hubId: 'hub-test', orders: [s] }), 'unsupported_version'],
      ['missing hubId', () => hub.post('/v1/sync/push', { v: 1, orders: [s] }), 'invalid_body'],
      ['no orders', () => hub.post('/v1/sync/push', { v: 1, hubId: 'hub-test', orders: [] }), 'invalid_body'],
      ['over 1,000 orders', () => hub.post('/v1/sync/push', push([...Array.from({ length: 1000 }, () => sale({ band: 7 })), s])), 'invalid_body'],
      ['an array', () => hub.post('/v1/sync/push', [s]), 'invalid_body'],
    ];
    for (const [what, send, code] of cases) {
      const res = await send();
      assert.equal(res.status, 400, what);
      assert.equal(res.body.error.code, code, what);
      assert.equal(typeof res.body.error.message, 'string', what);
    }
    assert.equal(await rowCount(), before);
  });

  test('a missing or wrong venue key is 401 unauthorized', async () => {
    const s = sale({ band: 8 });
    for (const client of [api(cloud.url), api(cloud.url, 'wrong-key'), api(cloud.url, 'test-admin-token-0123456789')]) {
      const res = await client.post('/v1/sync/push', push([s]));
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'unauthorized');
    }
    assert.equal(await rowCount(s.id), 0);
  });

  test('a full batch of 1,000 goes in one request', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => sale({ band: (i % 10) + 1 }));
    const res = await hub.post('/v1/sync/push', push(batch));
    assert.equal(res.status, 200);
    assert.equal(res.body.results.filter((r: { status: string }) => r.status === 'stored').length, 1000);
    const again = await hub.post('/v1/sync/push', push(batch));
    assert.equal(again.body.results.filter((r: { status: string }) => r.status === 'duplicate').length, 1000);
  });
});
