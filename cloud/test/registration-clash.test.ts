import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Block, newId, type Pairing } from '@tapline/shared';
import fc from 'fast-check';
import { and, eq, inArray } from 'drizzle-orm';
import { type Database, openDatabase } from '../src/db/open.ts';
import { bands, registrationConflicts } from '../src/db/schema.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { DEMO_EVENT_ID } from '../src/seed/demo-constants.ts';
import { ingestOrders } from '../src/services/ingest.ts';
import { resolveClashes } from '../src/services/registration-clash.ts';
import { VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { sale } from './helpers/facts.ts';
import { at, block, freshBandUid, pairing, signup } from './helpers/registration.ts';

const skip = await databaseSkipReason();
const RUNS = Number(process.env.TAPLINE_PROPERTY_RUNS ?? 25);

/** A pairing or block by template indices: band b, attendee a, made at minute t. */
type Spec = { kind: 'pairing'; band: number; attendee: number; t: number; replaces: number | null } | { kind: 'block'; band: number; t: number };

const specArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pairing' as const), band: fc.nat(3), attendee: fc.nat(2), t: fc.nat(4), replaces: fc.option(fc.nat(3), { freq: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('block' as const), band: fc.nat(3), t: fc.nat(4) }) },
);

/** A copy of the scenario with its own bands, attendees and fact ids (ids in template order, so ties break alike). */
function world(specs: readonly Spec[]) {
  const uids = Array.from({ length: 4 }, () => freshBandUid());
  const people = Array.from({ length: 3 }, () => `att-${newId()}`);
  const ids = specs.map(() => newId()).sort();
  const facts: (Pairing | Block)[] = specs.map((s, i) => {
    const f =
      s.kind === 'pairing'
        ? pairing(uids[s.band]!, people[s.attendee]!, { createdAt: at(s.t), replacesBandUid: s.replaces === null || s.replaces === s.band ? null : uids[s.replaces]! })
        : block(uids[s.band]!, { createdAt: at(s.t) });
    return { ...f, id: ids[i]! };
  });
  return { uids, people, facts };
}

const noQueue = { enqueueTabsRecompute: async () => undefined, enqueueSmsReceipts: async () => undefined };

describe('the clash rule', { skip }, () => {
  test('resolveClashes gives the same bands and losers for any order of the same facts', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 1, maxLength: 10 }).chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length, maxLength: specs.length }))), ([specs, order]) => {
        const w = world(specs);
        const split = (facts: (Pairing | Block)[]) =>
          [
            facts.filter((f): f is Pairing => f.kind === 'pairing'),
            facts.filter((f): f is Block => f.kind === 'block').map((b) => ({ id: b.id, createdAt: b.createdAt, bandUid: b.bandUid })),
          ] as const;
        const a = resolveClashes(...split(w.facts));
        const b = resolveClashes(...split(order.map((i) => w.facts[i]!)));
        assert.deepEqual([...b.bands.entries()].sort(), [...a.bands.entries()].sort());
        assert.deepEqual([...b.losers.entries()].sort(), [...a.losers.entries()].sort());
      }),
      { numRuns: 500 },
    );
  });

  test('worked cases', () => {
    const p = (id: string, band: string, attendee: string, t: number, replaces: string | null = null) => ({ id, createdAt: at(t), bandUid: band, attendeeId: attendee, replacesBandUid: replaces });
    // A loses band X to B; A's later pairing of band Y is then A's first surviving one and holds.
    const r = resolveClashes([p('01', 'X', 'B', 0), p('02', 'X', 'A', 1), p('03', 'Y', 'A', 2)], []);
    assert.deepEqual(r.losers.get('02'), { loserId: '02', kind: 'band_two_attendees', winnerId: '01' });
    assert.equal(r.bands.get('Y')!.attendeeId, 'A');
    // Same instant: the smaller fact id wins.
    const tie = resolveClashes([p('0b', 'X', 'A', 0), p('0a', 'X', 'B', 0)], []);
    assert.equal(tie.bands.get('X')!.attendeeId, 'B');
    // The band winner that loses its attendee leaves the band unpaired; the next pairing of the band does not step in.
    const un = resolveClashes([p('01', 'Y', 'A', 0), p('02', 'X', 'A', 1), p('03', 'X', 'B', 2)], []);
    assert.equal(un.bands.get('X')!.attendeeId, null);
    assert.equal(un.losers.get('02')!.kind, 'attendee_two_bands');
    assert.equal(un.losers.get('03')!.kind, 'band_two_attendees');
  });

  describe('applied by ingest, on the database', () => {
    let target: TestDatabase;
    let database: Database;
    before(async () => {
      target = await createTestDatabase();
      database = await openDatabase(target.options);
      await seedDemo(database.db, { venueKey: VENUE_KEY, bands: 2 });
    });
    after(async () => {
      await database?.close();
      await target?.drop();
    });

    const ingest = (facts: unknown[]) => ingestOrders({ db: database.db, queue: noQueue, venueId: 'demo-venue', hubId: 'hub-prop' }, facts);

    /** The world's bands and conflicts in template terms, comparable across worlds. */
    async function outcome(w: ReturnType<typeof world>) {
      const idx = new Map<string, string>([...w.uids.map((u, i) => [u, `b${i}`] as const), ...w.people.map((p, i) => [p, `a${i}`] as const), ...w.facts.map((f, i) => [f.id, `f${i}`] as const)]);
      const rows = await database.db.select().from(bands).where(and(eq(bands.eventId, DEMO_EVENT_ID), inArray(bands.uid, w.uids)));
      const bandState = rows.map((r) => `${idx.get(r.uid)}:${r.attendeeId === null ? '-' : idx.get(r.attendeeId)}:${r.status}`).sort();
      const conflicts = (await database.db.select().from(registrationConflicts).where(inArray(registrationConflicts.loserFactId, w.facts.map((f) => f.id))))
        .map((c) => `${idx.get(c.loserFactId)}:${c.kind}:${idx.get(c.winnerFactId)}`)
        .sort();
      return { bandState, conflicts };
    }

    function expected(w: ReturnType<typeof world>) {
      const idx = new Map<string, string>([...w.uids.map((u, i) => [u, `b${i}`] as const), ...w.people.map((p, i) => [p, `a${i}`] as const), ...w.facts.map((f, i) => [f.id, `f${i}`] as const)]);
      const r = resolveClashes(
        w.facts.filter((f): f is Pairing => f.kind === 'pairing'),
        w.facts.filter((f): f is Block => f.kind === 'block'),
      );
      return {
        bandState: [...r.bands.values()].map((b) => `${idx.get(b.uid)}:${b.attendeeId === null ? '-' : idx.get(b.attendeeId)}:${b.blocked ? 'blocked' : 'active'}`).sort(),
        conflicts: [...r.losers.values()].map((l) => `${idx.get(l.loserId)}:${l.kind}:${idx.get(l.winnerId)}`).sort(),
      };
    }

    test('registration facts never reach the tab and receipt jobs; sales beside them still do', async () => {
      const calls: { queue: string; job: { eventId: string; bandUids?: string[]; orderIds?: string[] } }[] = [];
      const spy = {
        enqueueTabsRecompute: async (_tx: unknown, job: { eventId: string; bandUids: string[] }) => void calls.push({ queue: 'tabs', job }),
        enqueueSmsReceipts: async (_tx: unknown, job: { eventId: string; orderIds: string[] }) => void calls.push({ queue: 'sms', job }),
      };
      const run = (facts: unknown[]) => ingestOrders({ db: database.db, queue: spy, venueId: 'demo-venue', hubId: 'hub-spy' }, facts);
      const uid = freshBandUid();
      const s = signup();
      const results = await run([s, pairing(uid, s.attendee.id), block(uid)]);
      assert.deepEqual(results.map((r) => r.status), ['stored', 'stored', 'stored']);
      assert.deepEqual(calls, []);
      const order = sale({ band: 1 });
      await run([pairing(freshBandUid(), s.attendee.id), order]);
      assert.deepEqual(calls, [
        { queue: 'tabs', job: { eventId: DEMO_EVENT_ID, bandUids: [order.bandUid] } },
        { queue: 'sms', job: { eventId: DEMO_EVENT_ID, orderIds: [order.id] } },
      ]);
    });

    test('arrival order and batching never change the bands or the conflicts (fast-check over permutations)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .array(specArb, { minLength: 2, maxLength: 7 })
            .chain((specs) =>
              fc.tuple(
                fc.constant(specs),
                fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length, maxLength: specs.length }),
                fc.array(fc.integer({ min: 1, max: 3 }), { minLength: specs.length, maxLength: specs.length }),
              ),
            ),
          async ([specs, order, sizes]) => {
            const inOrder = world(specs);
            for (const f of inOrder.facts) await ingest([f]);
            const shuffled = world(specs);
            const facts = order.map((i) => shuffled.facts[i]!);
            for (let i = 0, k = 0; i < facts.length; i += sizes[k++]!) {
              const results = await ingest(facts.slice(i, i + sizes[k]!));
              assert.ok(results.every((r) => r.status === 'stored'), JSON.stringify(results));
            }
            // A resend of everything changes nothing.
            await ingest(facts);
            const a = await outcome(inOrder);
            const b = await outcome(shuffled);
            assert.deepEqual(b, a);
            assert.deepEqual(a, expected(inOrder));
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
});
