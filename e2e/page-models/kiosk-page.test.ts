/**
 * The bartender's screens driven like a person would, through the page model, against the real processes: the cloud
 * with its demo venue, a hub, the browser kiosk (`desktop/src/kiosk-web/main.ts`, without NFC: bands are entered by
 * a supervisor, which reaches the screens as the same `tap` event a reader gives) and system Chromium.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_STAFF, demoBandUid } from '../../cloud/src/seed/demo-constants.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { ServiceProcess } from '../harness/service-process.ts';
import { cloudProcess, freePort, hubProcess } from '../harness/venue.ts';
import { KioskPage } from './kiosk-page.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = browserMissing();
const SUPERVISOR = DEMO_STAFF.supervisor.pin;

describe('kiosk screens', { skip: skip ?? false }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-kiosk-ui-'));
  const venueKey = randomBytes(18).toString('base64url');
  const processes: ServiceProcess[] = [];
  let hub: ServiceProcess;
  let kiosk: ServiceProcess;
  let browser: Browser;
  let k: KioskPage;
  let hubUrl = '';
  let pairingCode = '';

  before(async () => {
    const cloud = cloudProcess({ dir: path.join(dir, 'cloud'), venueKey, adminToken: randomBytes(18).toString('base64url'), bands: 100 });
    processes.push(cloud);
    const cloudUrl = (await cloud.start()).url!;
    hub = hubProcess({ dir: path.join(dir, 'hub'), port: await freePort(), cloudUrl, venueKey, extraArgs: ['--no-mdns'] });
    processes.push(hub);
    const ready = await hub.start();
    hubUrl = ready.url!;
    pairingCode = String(ready.pairingCode);
    mkdirSync(path.join(dir, 'kiosk'), { recursive: true });
    kiosk = new ServiceProcess({
      name: 'kiosk',
      entry: path.join(root, 'desktop/src/kiosk-web/main.ts'),
      args: ['--no-browser', '--no-nfc', '--no-mdns', '--data-dir', path.join(dir, 'kiosk')],
      logFile: path.join(dir, 'kiosk.log'),
    });
    processes.push(kiosk);
    const kioskUrl = (await kiosk.start()).url!;
    browser = await launchBrowser();
    k = new KioskPage(await browser.newPage({ viewport: { width: 1024, height: 768 } }), 30_000);
    await k.goto(kioskUrl);
  });

  after(async () => {
    await browser?.close();
    await Promise.all(processes.map((p) => p.stop()));
    for (const p of processes) p.closeLog();
    if (process.env.TAPLINE_KEEP_E2E) console.error(`kiosk UI test kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  test('a wrong pairing code is refused on screen; the right one pairs, and the bar is chosen', async () => {
    assert.equal(await k.screen(), 'pairing');
    const wrong = pairingCode === '000000' ? '111111' : '000000';
    await assert.rejects(k.pairWith(hubUrl, wrong, 'UI bar'), /pairing code/);
    await k.byTestId('pair-back').click();
    await k.byTestId('pair-back').click();
    await k.pairWith(hubUrl, pairingCode, 'UI bar');
    await k.waitForScreen('stations', 60_000);
    await k.chooseStation('Main bar');
    assert.equal(await k.screen(), 'login');
    assert.equal(await k.byTestId('login-station').innerText(), 'Main bar');
  });

  test('a wrong PIN is refused with a sentence; the bartender PIN typed on a keyboard logs in', async () => {
    const refused = await k.tryLogin('0000');
    assert.equal(refused?.code, 'wrong_pin');
    assert.match(refused?.message ?? '', /PIN/);
    await k.page.keyboard.type(DEMO_STAFF.bartender.pin);
    await k.page.keyboard.press('Enter');
    await k.waitForScreen('sell');
    assert.equal(await k.byTestId('status-staff').innerText(), DEMO_STAFF.bartender.name);
    assert.equal(await k.hubStatus(), 'connected');
  });

  let firstSeq = 0;
  test('an order to a known band is approved with its name and tab, and reaches the hub', async () => {
    await k.addToCart('Pils 0.5 l', 2);
    await k.addToCart('Mojito');
    assert.equal(await k.cartTotal(), 2 * 550 + 1100);
    assert.equal(await k.cartTotalText(), '€22.00');
    await k.setQuantity('Pils 0.5 l', 1);
    assert.equal(await k.cartTotal(), 550 + 1100);
    await k.setQuantity('Pils 0.5 l', 2);
    await k.tapWristband();
    await k.manualTap(SUPERVISOR, demoBandUid(1));
    const approved = await k.expectApproved();
    assert.equal(approved.firstName, 'Emma');
    assert.equal(approved.tabTotal, 2200);
    assert.equal(approved.tabTotalText, '€22.00');
    assert.equal(approved.offline, false);
    firstSeq = approved.seq;
    await k.dismissApproved();
    assert.deepEqual(await k.cartLines(), [], 'an approved order starts a fresh cart');
    await k.waitForPendingCount(0);
  });

  test('a blocked band is declined with the reason, and the order is kept for another band', async () => {
    await k.addToCart('Cola');
    await k.tapWristband();
    await k.manualTap(SUPERVISOR, demoBandUid(50));
    const declined = await k.expectDeclined();
    assert.equal(declined.code, 'blocked');
    assert.equal(declined.reason, 'Wristband blocked');
    await k.backToOrder();
    assert.deepEqual(await k.cartLines(), [{ name: 'Cola', quantity: 1 }]);
  });

  test('a band number needs a supervisor PIN', async () => {
    await k.tapWristband();
    await assert.rejects(k.manualTap(DEMO_STAFF.bartender.pin, demoBandUid(2)), /supervisor/);
    await k.byTestId('supervisor-pin-close').click();
    await k.cancelTap();
    assert.deepEqual(await k.cartLines(), [{ name: 'Cola', quantity: 1 }]);
  });

  test('a supervisor voids a sale from Recent orders; the band\'s tab goes back', async () => {
    const rows = await k.openRecent();
    assert.equal(rows[0]?.seq, firstSeq);
    assert.equal(rows[0]?.status, 'acked');
    const notice = await k.voidOrder(firstSeq, SUPERVISOR, 'Wrong drink');
    assert.match(notice, /Emma's tab is now €0\.00/);
    // The list refreshes after the void's answer: wait for the row to say so before reading every row.
    await k.page.locator(`[data-testid="order-row-${firstSeq}"][data-voided="true"]`).waitFor();
    const after = await k.recentRows();
    assert.equal(after.find((r) => r.seq === firstSeq)?.voided, true);
    assert.equal(after.find((r) => r.kind === 'void')?.seq, firstSeq + 1);
    await k.closeRecent();
    // The void reaches the hub before the next test stops it, so what is pending there is only what is sold offline.
    await k.waitForPendingCount(0);
  });

  test('without the hub the kiosk says it is offline and keeps selling within the limits', async () => {
    await hub.stop();
    await k.waitForOfflineBanner();
    assert.equal(await k.hubStatus(), 'offline');
    assert.equal(await k.cloudStatus(), 'unknown');
    assert.match((await k.offlineBanner()) ?? '', /Offline: the hub is unreachable\. .* left on this terminal\./);
    await k.tapWristband();
    await k.manualTap(SUPERVISOR, demoBandUid(3));
    const approved = await k.expectApproved();
    assert.equal(approved.offline, true);
    // The count follows the sale's answer with the kiosk's next state event.
    await k.waitForPendingCount(1);
    await k.dismissApproved();

    await hub.start();
    await k.waitForHubStatus('connected', 60_000);
    await k.waitForPendingCount(0, 60_000);
    await k.waitForOfflineBanner(false);
  });

  test('the screen says so when the kiosk process stops answering', async () => {
    assert.equal(await k.kioskUnresponsive(), false);
    await kiosk.kill('SIGKILL');
    await k.byTestId('kiosk-unresponsive').waitFor({ timeout: 15_000 });
    assert.equal(await k.kioskUnresponsive(), true);
  });
});
