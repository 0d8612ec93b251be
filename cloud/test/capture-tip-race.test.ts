import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { payments } from '../src/db/schema.ts';
import { HttpError } from '../src/http/http-error.ts';
import { LogPayments } from '../src/providers/log-payments.ts';
import type { PaymentProvider } from '../src/providers/payments.ts';
import { DEMO_EVENT_ID, demoBandUid } from '../src/seed/demo-constants.ts';
import { DEFAULT_PAYMENT_SETTINGS } from '../src/services/payment-settings.ts';
import { tabLinks } from '../src/services/tab-links.ts';
import { captureTab, type TabPaymentDeps } from '../src/services/tab-payments.ts';
import type { RunningCloud } from '../src/start.ts';
import { setAttendeeTip } from '../src/web/tab-page-tip.ts';
import { api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale } from './helpers/facts.ts';
import { tabWhere } from './helpers/jobs.ts';

// The capture plans its amount in one transaction and writes its capture row in a later one. The attendee's tip page
// refuses a tip once that row exists, so a tip that lands in between must be in what is captured.

const skip = await databaseSkipReason();
const silent = pino({ level: 'silent' });

describe('a tip that lands while a capture is being planned', { skip }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;

  before(async () => {
    target = await createTestDatabase();
    // No sweeper: the test runs the capture itself, at the moment it chooses.
    cloud = await startTestCloud(target, { seedDemo: { venueKey: VENUE_KEY, bands: 3 }, payments: { sweepIntervalSeconds: 0 } });
  });
  after(async () => {
    await cloud?.close();
    await target?.drop();
  });

  /** The log provider, with `duringAuthorize` run once inside the first authorisation (no lock is held then). */
  function providerWith(duringAuthorize: () => Promise<void>): PaymentProvider {
    const log = new LogPayments(silent);
    let first = true;
    return Object.assign(Object.create(log) as PaymentProvider, {
      authorize: async (input: Parameters<PaymentProvider['authorize']>[0]) => {
        if (first) {
          first = false;
          await duringAuthorize();
        }
        return log.authorize(input);
      },
    });
  }

  const deps = (provider: PaymentProvider): TabPaymentDeps => ({
    db: cloud.database.db,
    queue: cloud.queue,
    provider,
    links: tabLinks({ secret: 'capture-tip-race-secret', publicUrl: () => 'https://tab.example.test' }),
    log: silent,
    settings: { ...DEFAULT_PAYMENT_SETTINGS, sweepIntervalSeconds: 0 },
  });

  const tip = (bandUid: string, amount: number) =>
    setAttendeeTip(cloud.database.db, cloud.queue, { eventId: DEMO_EVENT_ID, bandUid, currency: 'EUR' }, { type: 'amount', currency: 'EUR', amount });

  test('the tip is captured with the orders; a tip after the capture started is refused', async () => {
    const bandUid = demoBandUid(1);
    const beer = sale({ band: 1, lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 4, unitPrice: 550 }] });
    const priced = tabWhere(cloud, DEMO_EVENT_ID, bandUid, (t) => t.total === 2200);
    assert.equal((await api(cloud.url, VENUE_KEY).post('/v1/sync/push', push([beer]))).status, 200);
    await priced;

    // No hold yet, so the capture authorises its total first: the attendee tips while Stripe is answering.
    let tipped = false;
    const outcome = await captureTab(
      deps(
        providerWith(async () => {
          await tip(bandUid, 300);
          tipped = true;
        }),
      ),
      { eventId: DEMO_EVENT_ID, bandUid },
    );
    assert.ok(tipped, 'the tip was recorded in the middle of the capture');
    assert.deepEqual(outcome, { outcome: 'captured', amount: 2500, outstanding: 0 });

    const rows = await cloud.database.db
      .select({ kind: payments.kind, amount: payments.amount, status: payments.status, releasedAt: payments.releasedAt })
      .from(payments)
      .where(and(eq(payments.eventId, DEMO_EVENT_ID), eq(payments.bandUid, bandUid)))
      ;
    // The hold for the total without the tip is released; the one with it is captured.
    assert.deepEqual(
      rows.map((r) => `${r.kind} ${r.amount} ${r.status}${r.releasedAt ? ' released' : ''}`).sort(),
      ['authorize 2200 succeeded released', 'authorize 2500 succeeded released', 'cancel 2200 succeeded', 'capture 2500 succeeded'],
    );

    await assert.rejects(tip(bandUid, 400), (err: unknown) => err instanceof HttpError && err.status === 409);
  });
});
