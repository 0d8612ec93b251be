/**
 * The bartender's kiosk end to end: real cloud, hub and kiosk processes, the kiosk's page in real Chromium, and
 * wristbands tapped on the real pcscd through the vpcd virtual reader. The tests run in order on one venue, as one
 * evening at one bar: set up, sell, lose the hub, get it back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoBandUid, DEMO_STAFF } from '../../cloud/src/seed/demo-constants.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../harness/pcscd.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { TestVenue } from '../harness/test-venue.ts';
import { tap } from '../harness/virtual-tag.ts';
import { waitFor } from '../harness/wait.ts';
import { KioskPage } from '../page-models/kiosk-page.ts';

function nfcMissing(): string | null {
  const nfc = pcscdAvailable();
  if (nfc.ok) return null;
  if (process.env.CI === 'true') throw new Error(`NFC end-to-end tests need pcscd with vpcd: ${nfc.reason}`);
  console.error(`\n  SKIPPING kiosk end-to-end tests: ${nfc.reason}.\n`);
  return nfc.reason;
}

const skip = browserMissing() ?? nfcMissing();

describe('the bartender kiosk, end to end', { skip: skip ?? false }, () => {
  const venue = new TestVenue();
  let pcscd: PcscdControl;
  let browser: Browser;
  let kiosk: ServiceProcess;
  let page: KioskPage;
  /** Ids of every order the kiosk approved, by what the cloud must hold. */
  const approved: number[] = [];

  before(async () => {
    pcscd = await ensurePcscd();
    await venue.startCloud();
    await venue.startHub({ lan: true, name: 'Riverside hub' });
    kiosk = venue.kiosk('bar-1');
    const ready = await kiosk.start();
    browser = await launchBrowser();
    page = new KioskPage(await browser.newPage({ viewport: { width: 1280, height: 800 } }));
    await page.goto(ready.url!);
  });

  after(async () => {
    await browser?.close();
    await venue.dispose();
    await pcscd?.stop();
  });

  test('a new kiosk finds the hub on the LAN and pairs with the code the hub shows', async () => {
    await page.waitForScreen('pairing');
    await waitFor(async () => (await page.foundHubs()).some((h) => h.name.startsWith('Riverside hub')), {
      timeoutMs: 20_000,
      what: 'the hub to appear on the pairing screen over mDNS',
    });
    await page.pairWith('Riverside hub', venue.pairingCode, 'Bar 1');
    await page.chooseStation('Main bar');
    await page.waitForScreen('login');
  });

  test('a wrong PIN is refused; the bartender logs in with theirs', async () => {
    const refused = await page.tryLogin('0000');
    assert.equal(refused?.code, 'wrong_pin');
    await page.login(DEMO_STAFF.bartender.pin);
    await page.waitForReaderStatus('ready'); // the virtual reader, seen through pcscd
    assert.equal(await page.hubStatus(), 'connected');
  });

  test('a round sold to a tapped wristband is approved with the name and new tab, and reaches the cloud', async () => {
    await page.addToCart('Pils 0.5 l', 2);
    await page.addToCart('Cola', 1);
    assert.equal(await page.cartTotal(), 2 * 550 + 350);
    await page.tapWristband();
    await tap(demoBandUid(1));
    const ok = await page.expectApproved();
    assert.equal(ok.firstName, 'Emma');
    assert.equal(ok.tabTotal, 1450);
    assert.equal(ok.offline, false);
    approved.push(ok.seq);
    await page.dismissApproved();

    await waitFor(async () => (await venue.cloudOrders()).some((o) => o.bandUid === demoBandUid(1) && o.total === 1450), {
      timeoutMs: 30_000,
      what: "the round in the cloud's orders",
    });
    await page.waitForPendingCount(0);
  });

  test('a blocked wristband is declined and the screen says why', async () => {
    await page.addToCart('IPA 0.33 l', 1);
    await page.tapWristband();
    await tap(demoBandUid(50));
    const no = await page.expectDeclined();
    assert.equal(no.code, 'blocked');
    assert.match(no.reason, /blocked/i);
    await page.backToOrder();
    assert.deepEqual(await page.cartLines(), [{ name: 'IPA 0.33 l', quantity: 1 }], 'a decline keeps the cart');
    await page.removeFromCart('IPA 0.33 l');
  });

  test('with the hub killed the kiosk says offline and keeps selling; after the restart every order arrives once', async () => {
    await venue.hub.kill('SIGKILL');
    await page.waitForHubStatus('offline');
    await page.waitForOfflineBanner(true);
    for (const n of [2, 3, 4]) {
      await page.addToCart('House red', 1);
      await page.tapWristband();
      await tap(demoBandUid(n));
      const ok = await page.expectApproved();
      assert.equal(ok.offline, true, 'the approval says it was made offline');
      approved.push(ok.seq);
      await page.dismissApproved();
    }
    // The three offline orders wait at the kiosk (the count follows each sale with the next state event).
    await page.waitForPendingCount(3);

    await venue.startHub();
    await page.waitForHubStatus('connected', 30_000);
    await page.waitForPendingCount(0, 30_000);
    await page.waitForOfflineBanner(false);
    await waitFor(async () => (await venue.cloudOrderCount()) === approved.length, { timeoutMs: 30_000, what: 'every order in the cloud' });

    const ledger = await venue.ledger([], [venue.kioskDb('bar-1')]);
    assert.deepEqual(ledger, { orders: approved.length, acked: approved.length, inCloud: approved.length, duplicates: 0, lost: 0 });
  });
});
