/**
 * The registration desk end to end: real cloud, hub and two kiosk processes (a desk reading the virtual NFC reader
 * through pcscd, and a bar whose bands a supervisor enters by number, so one tap is never read by both), each page in
 * real Chromium. The tests run in order on one venue, as one evening at the desk: set up, sign up a walk-up, pair a
 * pre-registered attendee, replace a lost band (and watch the bar decline the old one), block a found band, lose the hub.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoBandUid, demoPhone, DEMO_STAFF } from '../../cloud/src/seed/demo-constants.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../harness/pcscd.ts';
import { TestVenue } from '../harness/test-venue.ts';
import { tap, VIRTUAL_READERS } from '../harness/virtual-tag.ts';
import { waitFor } from '../harness/wait.ts';
import { DeskPage } from '../page-models/desk-page.ts';
import { KioskPage } from '../page-models/kiosk-page.ts';

function nfcMissing(): string | null {
  const nfc = pcscdAvailable();
  if (nfc.ok) return null;
  if (process.env.CI === 'true') throw new Error(`NFC end-to-end tests need pcscd with vpcd: ${nfc.reason}`);
  console.error(`\n  SKIPPING registration desk end-to-end tests: ${nfc.reason}.\n`);
  return nfc.reason;
}

const skip = browserMissing() ?? nfcMissing();

/** Bands the demo never configured (it has 1..300): new bands from the desk's box. */
const NEW_BAND = { walkUp: demoBandUid(0x1001), preRegistered: demoBandUid(0x1002), replacement: demoBandUid(0x1003), spare: demoBandUid(0x1004) };
/**
 * The desk's second virtual reader. The reader treats the same band back on the same reader within 0.8 s of leaving
 * as one tap that flapped (desktop/src/nfc/uid-bounce.ts) and drops it: a band tapped again soon (a test is faster
 * than a person) goes on the other reader, or its tap is never seen.
 */
const OTHER_READER = { port: VIRTUAL_READERS[1].port };
/** A pre-registered attendee with no band and no card yet, as head office's import would create one. */
const NOOR = { id: 'attendee-noor', firstName: 'Noor', lastName: 'Visser', email: 'noor.visser@example.com', phone: '+31612340001' };

describe('the registration desk, end to end', { skip: skip ?? false }, () => {
  const venue = new TestVenue();
  let pcscd: PcscdControl;
  let browser: Browser;
  let desk: DeskPage;
  let bar: KioskPage;
  let deskLog = '';

  before(async () => {
    pcscd = await ensurePcscd();
    await venue.startCloud();
    await venue.startHub();
    const res = await fetch(`${venue.cloudUrl}/v1/admin/events/demo-event/attendees`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${venue.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        attendees: [{ ...NOOR, smsConsent: true, card: { status: 'none', stripeCustomerId: null, stripePaymentMethodId: null, last4: null } }],
      }),
    });
    assert.equal(res.status, 200, `PUT attendees: ${await res.text()}`);

    const deskProcess = venue.kiosk('desk-1', { mdns: false });
    deskLog = deskProcess.spec.logFile;
    const barProcess = venue.kiosk('bar-1', { mdns: false, nfc: false });
    const [deskReady, barReady] = await Promise.all([deskProcess.start(), barProcess.start()]);
    browser = await launchBrowser();
    desk = new DeskPage(await browser.newPage({ viewport: { width: 1280, height: 800 } }));
    bar = new KioskPage(await browser.newPage({ viewport: { width: 1280, height: 800 } }));
    await Promise.all([desk.goto(deskReady.url!), bar.goto(barReady.url!)]);
    await bar.pairWith(venue.hubUrl, venue.pairingCode, 'Bar 1');
    await bar.chooseStation('Main bar');
    await bar.login(DEMO_STAFF.bartender.pin);
  });

  // What the desk's process saw (taps read, taps dropped as a bounce, calls refused) is the first thing a failure needs.
  afterEach((t) => {
    // Node 20 sets `passed` on the context; its types do not declare it yet.
    if ((t as { passed?: boolean }).passed !== false || !deskLog) return;
    const lines = readFileSync(deskLog, 'utf8').trimEnd().split('\n');
    console.error(`\n  ${t.name} failed; the last lines of ${deskLog}:\n${lines.slice(-40).join('\n')}\n`);
  });

  after(async () => {
    await browser?.close();
    await venue.dispose();
    await pcscd?.stop();
  });

  test('a kiosk set up at the registration desk refuses a bartender and lets a supervisor in', async () => {
    await desk.pairWith(venue.hubUrl, venue.pairingCode, 'Desk 1');
    await desk.chooseStation('Registration desk');
    const refused = await desk.tryLogin(DEMO_STAFF.bartender.pin);
    assert.equal(refused?.code, 'wrong_station_role');
    assert.match(refused.message, /registration desk/);
    await desk.login(DEMO_STAFF.supervisor.pin);
    await desk.waitForDesk('find');
    await desk.waitForReaderStatus('ready');
    assert.equal(await desk.hubStatus(), 'connected');
  });

  test('a walk-up signs up (a bad phone number is refused under its field) and the band tapped is theirs', async () => {
    const errors = await desk.signUp({ firstName: 'Jonas', lastName: 'Meyer', phone: '0612', email: 'not-an-email' });
    assert.match(errors.phone ?? '', /international format/);
    assert.match(errors.email ?? '', /e-mail/i);
    assert.equal(errors.firstName, undefined);

    assert.deepEqual(await desk.signUp({ firstName: 'Jonas', lastName: 'Meyer', phone: '+49 151 2345 6789', email: 'jonas@example.com', smsConsent: true }), {});
    const jonas = await desk.attendee();
    assert.equal(jonas.name, 'Jonas Meyer');
    assert.equal(jonas.card, 'none');
    assert.equal(jonas.noCardAllowance, 2500, 'the no-card allowance is stated');
    await desk.waitForPairing();
    const paired = await desk.pairByTap(() => tap(NEW_BAND.walkUp));
    assert.equal(paired.name, 'Jonas Meyer');
    assert.equal(paired.bandUid, NEW_BAND.walkUp);

    // The hub has the sign-up and the pairing: the walk-up is found there with the band.
    await waitFor(
      async () => {
        const found = await desk.search('Meyer');
        return found.kind === 'results' && found.rows.some((r) => r.name === 'Jonas Meyer' && r.bands === 1);
      },
      { timeoutMs: 20_000, what: 'the walk-up and their band at the hub' },
    );
    await desk.waitForPendingCount(0);
  });

  test('a pre-registered attendee is found by name and by the confirmation code; a tapped band is paired', async () => {
    let code = '';
    await waitFor(
      async () => {
        const found = await desk.search('noor vis');
        const row = found.kind === 'results' ? found.rows.find((r) => r.id === NOOR.id) : undefined;
        code = row?.code ?? '';
        return Boolean(row);
      },
      { timeoutMs: 30_000, what: "the cloud's attendee to be searchable at the hub" },
    );
    assert.match(code, /^[A-Z0-9]{8}$/, 'the attendee has a confirmation code');
    const rows = await desk.resultRows();
    const row = rows.find((r) => r.id === NOOR.id)!;
    assert.ok(row.text.includes('Noor Visser'));
    assert.ok(!row.text.includes(NOOR.phone) && !row.text.includes(NOOR.email), 'contact details are masked in the list');
    assert.ok(row.text.includes('0001'), 'the last digits of the phone are shown');

    const scanned = await desk.scan(code);
    assert.equal(scanned.kind, 'attendee', 'a scanned confirmation code opens the attendee at once');
    const noor = scanned.kind === 'attendee' ? scanned.attendee : null;
    assert.equal(noor?.id, NOOR.id);
    assert.equal(noor?.card, 'none');
    assert.equal(noor?.needsBand, true);
    assert.equal(noor?.noCardAllowance, 2500);
    assert.match(noor?.cardQrUrl ?? '', /^https?:\/\/.+\/card\//, 'a QR code of the card page is shown');

    await desk.waitForPairing();
    // The walk-up's band is someone else's: refused, and the desk waits for another band. It was on the first reader
    // a moment ago (a fast search leaves well under the bounce window), so it goes on the other one.
    const taken = await desk.tapToPair(() => tap(NEW_BAND.walkUp, OTHER_READER));
    assert.equal(taken.refused?.reason, 'band_taken');
    const paired = await desk.pairByTap(() => tap(NEW_BAND.preRegistered));
    assert.equal(paired.attendeeId, NOOR.id);
    assert.equal(paired.bandUid, NEW_BAND.preRegistered);
    assert.match(paired.text, /No card yet/);
  });

  test('a lost band is blocked and a new one paired to the same tab: the bar declines the old band, approves the new', async () => {
    const n = 7;
    const found = await desk.search(demoPhone(n));
    assert.equal(found.kind, 'results');
    const row = found.kind === 'results' ? found.rows.find((r) => r.id === `attendee-${n}`) : undefined;
    assert.ok(row, `found by phone number; the desk showed ${JSON.stringify(found)}`);
    const before = await desk.openResult(row.id);
    assert.deepEqual(before.bands, [{ uid: demoBandUid(n), status: 'active' }]);

    // Tapping another band while the old one is active is refused: one band per attendee.
    assert.equal((await desk.tapToPair(() => tap(NEW_BAND.spare))).refused?.reason, 'attendee_has_band');

    await desk.blockLostBand(demoBandUid(n), 'lost');
    const paired = await desk.pairByTap(() => tap(NEW_BAND.replacement));
    assert.equal(paired.bandUid, NEW_BAND.replacement);
    assert.match(paired.text, new RegExp(`Replaces ${demoBandUid(n)}`));

    // The bar hears of both through the hub within seconds.
    await waitFor(
      async () => {
        await bar.addToCart('Cola');
        await bar.tapWristband();
        await bar.manualTap(DEMO_STAFF.supervisor.pin, demoBandUid(n));
        const seen = bar.page.locator('[data-testid="result-approved"], [data-testid="result-declined"]').first();
        await seen.waitFor();
        const declined = (await seen.getAttribute('data-testid')) === 'result-declined';
        if (declined) {
          assert.equal((await bar.expectDeclined()).code, 'blocked');
          await bar.backToOrder();
        } else await bar.dismissApproved();
        return declined;
      },
      { timeoutMs: 20_000, what: 'the bar to decline the blocked band' },
    );
    await bar.tapWristband();
    await bar.manualTap(DEMO_STAFF.supervisor.pin, NEW_BAND.replacement);
    const ok = await bar.expectApproved();
    assert.equal(ok.firstName, before.name, 'the new band carries the attendee’s name');
    await bar.dismissApproved();
  });

  test('a found band is blocked by tapping it', async () => {
    await desk.startFoundBand();
    await tap(demoBandUid(8));
    const band = await desk.foundBand();
    assert.equal(band.uid, demoBandUid(8));
    assert.equal(band.status, 'active');
    const done = await desk.blockFoundBand('other', 'Handed in at the cloakroom');
    assert.match(done, /is blocked/);

    // Tapped again on the find screen: the desk knows it is blocked.
    await tap(demoBandUid(8), OTHER_READER);
    assert.equal((await desk.foundBand()).status, 'blocked');
    await desk.byTestId('found-band-close').click();
  });

  test('with the hub down the desk says so when searching, and a sign-up made meanwhile reaches the hub after', async () => {
    await venue.hub.kill('SIGKILL');
    await desk.waitForHubStatus('offline');
    const found = await desk.search('Emma');
    assert.equal(found.kind, 'hub_unreachable');
    assert.match(found.kind === 'hub_unreachable' ? found.text : '', /Hub unreachable/);
    assert.ok(await desk.hubUnreachableShown());

    assert.deepEqual(await desk.signUp({ firstName: 'Offline', lastName: 'Walkup', email: 'offline@example.com' }), {});
    assert.ok((await desk.waitForSomePending()) >= 1, 'the sign-up waits at the desk');

    await venue.startHub();
    await desk.waitForHubStatus('connected', 30_000);
    await desk.waitForPendingCount(0, 30_000);
    await waitFor(async () => {
      const again = await desk.search('Walkup');
      return again.kind === 'results' && again.rows.some((r) => r.name === 'Offline Walkup');
    }, { timeoutMs: 20_000, what: 'the offline sign-up at the hub' });
  });
});
