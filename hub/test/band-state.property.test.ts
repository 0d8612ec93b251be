import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { newId, type Block, type Pairing, type Wristband } from '@tapline/shared';
import { AttendeeStore } from '../src/db/attendee-store.ts';
import { BandState } from '../src/db/band-state.ts';
import { openHubDb } from '../src/db/open.ts';
import { removeDir, tempDir } from './helpers.ts';

const dir = tempDir();
after(() => removeDir(dir));

const EVENT = 'evt-1';
const BANDS = ['0A000001', '0A000002'];
const PEOPLE = ['att-a', 'att-b', 'att-c'];
/** Only att-a has a card. */
const hasCard = (who: string | null) => who === 'att-a';

type Action =
  | { t: 'venuePair'; band: number; who: number }
  | { t: 'venueBlock'; band: number }
  | { t: 'cloudBand'; band: number; who: number | null; blocked: boolean; tabLimit: number | null }
  /** The uploader: the cloud acks every venue fact so far. */
  | { t: 'ack' }
  /** A pull cycle starts (a new generation); it catches up later, and acks may land in between. */
  | { t: 'pullStart' }
  | { t: 'pullEnd' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('venuePair' as const), band: fc.nat(1), who: fc.nat(2) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('venueBlock' as const), band: fc.nat(1) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('cloudBand' as const),
      band: fc.nat(1),
      who: fc.option(fc.nat(2), { freq: 3 }),
      blocked: fc.nat(4).map((n) => n === 0),
      tabLimit: fc.option(fc.integer({ min: 1, max: 10_000 }), { freq: 2 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.constant({ t: 'ack' as const }), weight: 2 },
  { arbitrary: fc.constant({ t: 'pullStart' as const }), weight: 2 },
  { arbitrary: fc.constant({ t: 'pullEnd' as const }), weight: 2 },
);

/** What each band must look like at the hub, restated from the contract rather than from BandState. */
interface ModelBand {
  cloud: Wristband | null;
  blockedHere: boolean;
  /** The venue pairing still on top of the cloud's word, with the generation its ack was recorded in. */
  pending: { who: string; id: string; ackedGen: number | null } | null;
  everPaired: boolean;
}

let runs = 0;

test('property: venue facts the cloud has not received survive its config; blocks hold for ever; then the cloud decides', () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => {
      const h = openHubDb(path.join(dir, `run-${++runs}`));
      h.sqlite.pragma('synchronous = OFF');
      try {
        const attendees = new AttendeeStore(h.sqlite);
        for (const id of PEOPLE) {
          attendees.putFromCloud(
            { id, eventId: EVENT, firstName: id, lastName: null, email: null, phone: null, smsConsent: false, cardStatus: hasCard(id) ? 'ready' : 'none', cardLast4: null, confirmationCode: null, cardUrl: null },
            1,
          );
        }
        const state = new BandState(h.sqlite, attendees);
        const model = new Map<string, ModelBand>(BANDS.map((b) => [b, { cloud: null, blockedHere: false, pending: null, everPaired: false }]));
        const factIds: string[] = [];
        let gen = 1;
        let inFlight: number | null = null;
        let seq = 10;
        let fseq = 0;
        const fact = (uid: string) => ({
          id: newId(),
          terminalId: 't1',
          seq: ++fseq,
          eventId: EVENT,
          stationId: 'desk',
          staffId: null,
          createdAt: new Date().toISOString(),
          offline: false,
          bandUid: uid,
        });

        for (const a of actions) {
          const tx = <T>(fn: () => T) => h.sqlite.transaction(fn)();
          switch (a.t) {
            case 'venuePair': {
              const uid = BANDS[a.band]!;
              const m = model.get(uid)!;
              const p: Pairing = { ...fact(uid), kind: 'pairing', attendeeId: PEOPLE[a.who]!, replacesBandUid: null };
              tx(() => state.applyFact(p, new Set()));
              factIds.push(p.id);
              // The hub refuses to apply a pairing of a band it holds as blocked, by its own block or the cloud's.
              const blockedNow = m.blockedHere || m.cloud?.status === 'blocked';
              if (!blockedNow) {
                m.pending = { who: p.attendeeId, id: p.id, ackedGen: null };
                m.everPaired = true;
              }
              break;
            }
            case 'venueBlock': {
              const uid = BANDS[a.band]!;
              const b: Block = { ...fact(uid), kind: 'block', reason: 'lost' };
              tx(() => state.applyFact(b, new Set()));
              factIds.push(b.id);
              model.get(uid)!.blockedHere = true;
              break;
            }
            case 'cloudBand': {
              const uid = BANDS[a.band]!;
              const who = a.who === null ? null : PEOPLE[a.who]!;
              const w: Wristband = { uid, eventId: EVENT, attendeeId: who, firstName: who, status: a.blocked ? 'blocked' : 'active', hasCard: hasCard(who), tabLimit: a.tabLimit };
              tx(() => state.applyCloudBand(w, ++seq));
              model.get(uid)!.cloud = w;
              break;
            }
            case 'ack':
              tx(() => state.markAcked(factIds, gen));
              for (const m of model.values()) if (m.pending && m.pending.ackedGen === null) m.pending.ackedGen = gen;
              break;
            case 'pullStart':
              inFlight = ++gen;
              break;
            case 'pullEnd': {
              if (inFlight === null) break;
              const g = inFlight;
              inFlight = null;
              tx(() => state.resolveAcked(g));
              // Only an ack recorded before this pull started is sure to be in what the cloud answered.
              for (const m of model.values()) {
                if (m.pending && m.pending.ackedGen !== null && m.pending.ackedGen < g) {
                  m.pending = null;
                }
              }
              break;
            }
          }

          for (const uid of BANDS) {
            const m = model.get(uid)!;
            const got = state.band(uid);
            if (!m.cloud && !m.everPaired && !m.blockedHere) {
              assert.equal(got, undefined, `${uid} unknown`);
              continue;
            }
            assert.ok(got, `${uid} known`);
            const who = m.pending ? m.pending.who : (m.cloud?.attendeeId ?? null);
            assert.equal(got.attendeeId, who, `${uid} attendee`);
            if (m.pending) assert.equal(got.hasCard, hasCard(who), `${uid} card follows the attendee`);
            assert.equal(got.tabLimit, m.cloud?.tabLimit ?? null, `${uid}: the cloud's other fields pass through`);
            if (m.blockedHere) assert.equal(got.status, 'blocked', `${uid} blocked here is blocked for ever`);
            else assert.equal(got.status, m.cloud?.status ?? 'active', `${uid} status`);
          }
        }
      } finally {
        h.close();
      }
    }),
    { numRuns: 150 },
  );
});
