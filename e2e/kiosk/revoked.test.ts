/**
 * A kiosk switched off by head office, end to end: real cloud, hub and kiosk processes, the kiosk's page and the
 * head-office console in real Chromium, wristbands tapped on the real pcscd through the vpcd virtual reader. The
 * kiosk reaches the hub through a TCP proxy that stands for the venue's LAN, so the test decides when the kiosk can
 * next reach the hub: never before the hub has heard of the revocation, so nothing here races.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoBandUid, DEMO_STAFF } from '../../cloud/src/seed/demo-constants.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../harness/pcscd.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { TestVenue } from '../harness/test-venue.ts';
import { tap } from '../harness/virtual-tag.ts';
import { waitFor } from '../harness/wait.ts';
import { KioskPage } from '../page-models/kiosk-page.ts';
import { HeadOffice } from './head-office.ts';

function nfcMissing(): string | null {
  const nfc = pcscdAvailable();
  if (nfc.ok) return null;
  if (process.env.CI === 'true') throw new Error(`NFC end-to-end tests need pcscd with vpcd: ${nfc.reason}`);
  console.error(`\n  SKIPPING the revoked-kiosk end-to-end test: ${nfc.reason}.\n`);
  return nfc.reason;
}

const skip = browserMissing() ?? nfcMissing();
const REASON = 'Stolen from the north bar';

describe('a kiosk switched off by head office, end to end', { skip: skip ?? false, timeout: 240_000 }, () => {
  const venue = new TestVenue();
  let pcscd: PcscdControl;
  let browser: Browser;
  let kiosk: ServiceProcess;
  let page: KioskPage;
  let lan: FaultProxy;
  let lanPort = 0;
  let headOffice: HeadOffice;
  let terminalId = '';

  /** The hub's own word on this terminal (its status JSON), as the venue tech sees it. */
  const hubSaysRevoked = async (): Promise<boolean | undefined> => {
    const res = await fetch(`${venue.hubUrl}/v1/status`);
    const status = (await res.json()) as { terminals: Array<{ id: string; revoked?: boolean }> };
    return status.terminals.find((t) => t.id === terminalId)?.revoked;
  };
  const lanBack = async () => {
    lan = new FaultProxy({ targetPort: Number(new URL(venue.hubUrl).port), listenPort: lanPort, name: 'kiosk→hub' });
    await lan.listen();
  };

  before(async () => {
    pcscd = await ensurePcscd();
    await venue.startCloud();
    await venue.startHub();
    await lanBack();
    lanPort = lan.port;
    kiosk = venue.kiosk('bar-1', { mdns: false });
    const ready = await kiosk.start();
    browser = await launchBrowser();
    page = new KioskPage(await browser.newPage({ viewport: { width: 1280, height: 800 } }), 30_000);
    await page.goto(ready.url!);
  });

  after(async () => {
    await headOffice?.close().catch(() => undefined);
    await browser?.close();
    await lan?.close();
    await venue.dispose();
    await pcscd?.stop();
  });

  test('paired through the LAN, the bar sells; the sale reaches head office', async () => {
    await page.pairWith(lan.url, venue.pairingCode, 'Bar North');
    await page.chooseStation('Main bar');
    await page.login(DEMO_STAFF.bartender.pin);
    await page.addToCart('Pils 0.5 l', 1);
    await page.tapWristband();
    await tap(demoBandUid(1));
    assert.equal((await page.expectApproved()).offline, false);
    await page.dismissApproved();
    let order: { terminalId: string } | undefined;
    await waitFor(async () => (order = (await venue.cloudOrders()).find((o) => o.bandUid === demoBandUid(1))) !== undefined, {
      timeoutMs: 30_000,
      what: "the sale in the cloud's orders",
    });
    terminalId = order!.terminalId;
    headOffice = await HeadOffice.signIn(browser, venue.cloudUrl);
  });

  test('cut off, it sells offline; revoked meanwhile, it shows the switched-off screen on reconnecting, keeps its sale and sells nothing', async () => {
    await lan.close();
    await page.waitForHubStatus('offline');
    await page.addToCart('House red', 1);
    await page.tapWristband();
    await tap(demoBandUid(2));
    assert.equal((await page.expectApproved()).offline, true);
    await page.dismissApproved();
    await page.waitForPendingCount(1);

    await headOffice.revokeTerminal(terminalId, REASON);
    await waitFor(async () => (await hubSaysRevoked()) === true, { timeoutMs: 30_000, what: 'the hub to pull the revocation' });
    await lanBack();

    const shown = await page.expectRevoked(30_000);
    assert.equal(shown.terminalId, terminalId, 'the id the supervisor looks for in the console');
    assert.equal(shown.pending, 1, 'the offline sale is kept, and said to be');
    assert.match(shown.message, new RegExp(REASON));
    assert.equal(await page.page.getByRole('heading', { name: 'This terminal has been switched off by head office' }).count(), 1);
    assert.equal(await page.byTestId('status-bar').count(), 0, 'full screen: nothing else to press');

    // A band tapped now charges nothing, and the kiosk refuses a sale however it is asked.
    await tap(demoBandUid(3));
    const refused = await page.callKiosk('login', { pin: DEMO_STAFF.bartender.pin });
    assert.equal((refused.body as { error?: { code?: string } }).error?.code, 'revoked');
    assert.equal((await page.expectRevoked()).pending, 1);
  });

  test('switched back on, the kiosk returns by itself, sends the kept sale and sells again; every order reaches the cloud once', async () => {
    await headOffice.restoreTerminal(terminalId);
    await waitFor(async () => (await hubSaysRevoked()) === false, { timeoutMs: 30_000, what: 'the hub to pull the restoration' });
    await page.waitForRevokedGone(30_000);
    await page.waitForScreen('login');
    await page.waitForPendingCount(0, 30_000);

    await page.login(DEMO_STAFF.bartender.pin);
    await page.addToCart('Cola', 1);
    await page.tapWristband();
    await tap(demoBandUid(4));
    assert.equal((await page.expectApproved()).offline, false);
    await page.dismissApproved();
    await page.waitForPendingCount(0);
    await waitFor(async () => (await venue.cloudOrderCount()) === 3, { timeoutMs: 30_000, what: 'the three sales in the cloud' });

    const ledger = await venue.ledger([], [venue.kioskDb('bar-1')]);
    assert.deepEqual(ledger, { orders: 3, acked: 3, inCloud: 3, duplicates: 0, lost: 0 });
  });
});
