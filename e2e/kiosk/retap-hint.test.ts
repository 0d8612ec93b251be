/**
 * A quick re-tap the bounce rule drops, end to end: real cloud, hub and kiosk processes, the kiosk's page in real
 * Chromium, wristbands on the real pcscd through the vpcd virtual reader. The kiosk runs with a long bounce window
 * (TAPLINE_NFC_BOUNCE_MS), so the same band back on the reader is a bounce whatever the machine's speed: nothing races.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoBandUid, DEMO_STAFF } from '../../cloud/src/seed/demo-constants.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../harness/pcscd.ts';
import { ServiceProcess } from '../harness/service-process.ts';
import { TestVenue } from '../harness/test-venue.ts';
import { entries } from '../harness/venue.ts';
import { tap } from '../harness/virtual-tag.ts';
import { waitFor } from '../harness/wait.ts';
import { KioskPage } from '../page-models/kiosk-page.ts';

function nfcMissing(): string | null {
  const nfc = pcscdAvailable();
  if (nfc.ok) return null;
  if (process.env.CI === 'true') throw new Error(`NFC end-to-end tests need pcscd with vpcd: ${nfc.reason}`);
  console.error(`\n  SKIPPING the re-tap hint end-to-end test: ${nfc.reason}.\n`);
  return nfc.reason;
}

const skip = browserMissing() ?? nfcMissing();

describe('a re-tap dropped by the bounce rule, end to end', { skip: skip ?? false, timeout: 180_000 }, () => {
  const venue = new TestVenue();
  let pcscd: PcscdControl;
  let browser: Browser;
  let kiosk: ServiceProcess;
  let page: KioskPage;

  before(async () => {
    pcscd = await ensurePcscd();
    await venue.startCloud();
    await venue.startHub();
    const dir = venue.kioskDir('bar-1');
    mkdirSync(dir, { recursive: true });
    kiosk = new ServiceProcess({
      name: 'bar-1',
      entry: entries.kiosk,
      args: ['--no-browser', '--no-mdns', '--data-dir', dir],
      logFile: path.join(dir, 'bar-1.log'),
      dataPath: dir,
      env: { TAPLINE_NFC_BOUNCE_MS: '600000' },
    });
    const ready = await kiosk.start();
    browser = await launchBrowser();
    page = new KioskPage(await browser.newPage({ viewport: { width: 1280, height: 800 } }), 30_000);
    await page.goto(ready.url!);
  });

  after(async () => {
    await browser?.close();
    await kiosk?.kill('SIGKILL');
    kiosk?.closeLog();
    await venue.dispose();
    await pcscd?.stop();
  });

  test('the same band back too soon charges nothing and the tap screen says to lift it and tap again; the next real tap sells', async () => {
    await page.pairWith(venue.hubUrl, venue.pairingCode, 'Bar 1');
    await page.chooseStation('Main bar');
    await page.login(DEMO_STAFF.bartender.pin);
    await page.addToCart('Pils 0.5 l', 1);
    await page.tapWristband();
    await tap(demoBandUid(1));
    await page.expectApproved();
    await page.dismissApproved();

    // The next round, and the same band straight back on the reader: a bounce, not a tap.
    await page.addToCart('Cola', 1);
    await page.tapWristband();
    assert.equal(await page.bounceHint(), null, 'no hint before anything happened');
    await tap(demoBandUid(1));
    const hint = await page.waitForBounceHint();
    assert.match(hint, /already read/i);
    assert.match(hint, /tap again/i);
    assert.equal(await page.byTestId('tap-overlay').getAttribute('data-phase'), 'awaiting', 'still waiting for a band');

    // Another band is a tap: the round is sold to it, and the hint has gone with the wait.
    await tap(demoBandUid(2));
    const sold = await page.expectApproved();
    assert.equal(sold.offline, false);
    assert.equal(await page.bounceHint(), null);
    await page.dismissApproved();
    await waitFor(async () => (await venue.cloudOrderCount()) === 2, { timeoutMs: 30_000, what: 'exactly the two rounds in the cloud' });
    const orders = await venue.cloudOrders();
    assert.deepEqual(orders.map((o) => o.bandUid).sort(), [demoBandUid(1), demoBandUid(2)].sort(), 'the bounce charged nothing');
  });
});
