/**
 * Registration across real processes: a desk terminal and a bar terminal (each the real runtime in its own OS process,
 * with its own SQLite file), the hub and the cloud. The desk pairs a band and blocks another while the cloud is down;
 * the bar hears of both from the hub at once and approves and declines by them; when the cloud is back the facts
 * reach it exactly once.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import { TestVenue, nextMessage } from '../harness/test-venue.ts';
import { ServiceProcess } from '../harness/service-process.ts';
import { waitFor } from '../harness/wait.ts';

const REMOTE = fileURLToPath(new URL('../../desktop/src/sim/remote-terminal.ts', import.meta.url));
const STAFF = 'staff-bartender';
/** Demo band 7 belongs to demo attendee 7 (cloud/src/seed). */
const LOST_BAND = '04000000000007';
const ATTENDEE = 'attendee-7';
const ATTENDEE_PHONE = '+31610000007';
const NEW_BAND = '04FFEE00000001';
const WALK_UP_BAND = '04FFEE00000002';

type DeskBand = { uid: string; status: string; attendeeId: string | null; firstName: string | null; hasCard: boolean };
type Reply = { type: 'reply'; id: number; ok: boolean; value?: unknown; error?: { code: string; message: string } };

/** A terminal runtime in its own process, called over IPC (desktop/src/sim/remote-terminal.ts). */
class Remote {
  private n = 0;
  constructor(readonly p: ServiceProcess) {}

  async call<T>(call: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.n;
    const reply = nextMessage<Reply>(this.p, (m) => m.type === 'reply' && m.id === id);
    this.p.send({ id, call, args });
    const r = await reply;
    if (!r.ok) throw Object.assign(new Error(`${call}: ${r.error!.code}: ${r.error!.message}`), { code: r.error!.code });
    return r.value as T;
  }

  /** The next 'bands' report in which `uid` satisfies `pred` (listen BEFORE causing it). */
  band(uid: string, pred: (b: DeskBand) => boolean): Promise<DeskBand> {
    return nextMessage<{ type: string; bands: DeskBand[] }>(this.p, (m) => m.type === 'bands' && m.bands.some((b) => b.uid === uid && pred(b))).then(
      (m) => m.bands.find((b) => b.uid === uid)!,
    );
  }
}

describe('registration at the venue across processes', () => {
  const venues: TestVenue[] = [];
  const remotes: ServiceProcess[] = [];
  after(async () => {
    await Promise.all(remotes.map((p) => p.kill('SIGKILL')));
    remotes.forEach((p) => p.closeLog());
    await Promise.all(venues.map((v) => v.dispose()));
  });

  test('a desk pairs and blocks with the cloud down; another bar hears both at once; the cloud gets each fact once', async () => {
    const v = new TestVenue();
    venues.push(v);
    await v.startCloud();
    await v.startHub();
    const start = async (name: string, station: string) => {
      const p = new ServiceProcess({
        name,
        entry: REMOTE,
        logFile: path.join(v.dir, `${name}.log`),
        args: ['--db', path.join(v.dir, `${name}.db`), '--hub', v.hubUrl, '--code', v.pairingCode, '--name', name, '--station', station],
      });
      remotes.push(p);
      await p.start();
      return new Remote(p);
    };
    const desk = await start('desk', 'desk-1');
    const bar = await start('bar', 'bar-main');

    // The hub holds the cloud's pre-registered attendees (pulled before the event); the desk finds one by phone.
    await waitFor(async () => (await desk.call<Array<{ id: string }>>('search', { query: ATTENDEE_PHONE })).some((a) => a.id === ATTENDEE), {
      what: 'attendee 7 searchable at the hub',
      timeoutMs: 60_000,
    });
    // The hub sent the bar its bands when it pulled them, before it answered the desk: on a busy machine the bar may
    // still be reading that message, so ask until it has.
    await waitFor(async () => (await bar.call<DeskBand>('band', { uid: LOST_BAND })).status === 'active', {
      what: 'band 7 active at the bar',
      timeoutMs: 30_000,
    });

    await v.cloud.kill('SIGKILL');

    // Band 7 is lost: block it, pair a new band to the same attendee.
    const blockedAtBar = bar.band(LOST_BAND, (b) => b.status === 'blocked');
    const pairedAtBar = bar.band(NEW_BAND, (b) => b.attendeeId === ATTENDEE);
    await desk.call('block', { bandUid: LOST_BAND, reason: 'lost at the main stage', staffId: STAFF });
    await desk.call('pair', { attendeeId: ATTENDEE, bandUid: NEW_BAND, replacesBandUid: LOST_BAND, staffId: STAFF });
    // A walk-up, signed up and paired: searchable at the hub right after.
    const zoe = await desk.call<{ id: string }>('signUp', { firstName: 'Zoë', lastName: 'Visser', email: null, phone: '+31699999999', smsConsent: true, staffId: STAFF });
    const walkUpAtBar = bar.band(WALK_UP_BAND, (b) => b.attendeeId === zoe.id);
    await desk.call('pair', { attendeeId: zoe.id, bandUid: WALK_UP_BAND, staffId: STAFF });
    await desk.call('drained');
    const found = await desk.call<Array<{ id: string; bands: Array<{ uid: string; status: string }> }>>('search', { query: 'zoe vis' });
    assert.deepEqual(found.map((a) => [a.id, a.bands]), [[zoe.id, [{ uid: WALK_UP_BAND, status: 'active' }]]]);

    assert.equal((await blockedAtBar).status, 'blocked');
    const paired = await pairedAtBar;
    assert.equal(paired.status, 'active');
    assert.equal((await walkUpAtBar).firstName, 'Zoë');

    const sale = (bandUid: string) => bar.call<{ approved: boolean; reason?: string }>('sell', { bandUid, lines: [{ productId: 'beer-pils', quantity: 1 }] });
    assert.equal((await sale(NEW_BAND)).approved, true, 'the new band trades on the attendee');
    const declined = await sale(LOST_BAND);
    assert.equal(declined.approved, false);
    assert.equal(declined.reason, 'blocked', 'the lost band is declined everywhere');
    assert.equal((await sale(WALK_UP_BAND)).approved, true, 'a walk-up without a card gets the no-card allowance');

    // The cloud comes back: the hub's outbox drains.
    await v.startCloud();
    await waitFor(
      async () => ((await (await fetch(`${v.hubUrl}/v1/status`)).json()) as { queueDepth: number }).queueDepth === 0,
      { what: "the hub's outbox drained to the cloud", timeoutMs: 60_000 },
    );
    const deskDb = new Database(path.join(v.dir, 'desk.db'), { readonly: true });
    const made = deskDb.prepare(`SELECT id, kind FROM orders ORDER BY seq`).all() as Array<{ id: string; kind: string }>;
    deskDb.close();
    assert.deepEqual(made.map((m) => m.kind), ['block', 'pairing', 'signup', 'pairing']);

    await Promise.all(remotes.map((p) => p.stop()));
    await v.stopAll();
    const cloudDb = await PGlite.create(path.join(v.dir, 'cloud', 'pgdata'));
    try {
      const rows = (await cloudDb.query<{ id: string; n: number }>(`SELECT id::text AS id, count(*)::int AS n FROM registration_facts GROUP BY id`)).rows;
      const inCloud = new Map(rows.map((r) => [r.id, r.n]));
      for (const m of made) assert.equal(inCloud.get(m.id), 1, `${m.kind} ${m.id} in the cloud exactly once`);
      const band = (await cloudDb.query<{ status: string; attendee: string | null }>(
        `SELECT status, attendee_id AS attendee FROM bands WHERE uid = $1`,
        [NEW_BAND],
      )).rows[0];
      assert.deepEqual({ ...band }, { status: 'active', attendee: ATTENDEE }, "the cloud's resolution agrees with the venue");
      const lost = (await cloudDb.query<{ status: string }>(`SELECT status FROM bands WHERE uid = $1`, [LOST_BAND])).rows[0];
      assert.equal(lost?.status, 'blocked');
    } finally {
      await cloudDb.close();
    }
  });
});
