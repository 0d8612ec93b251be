/**
 * Screenshots of every bartender screen, taken from the real thing: the cloud (demo venue), a hub, the browser
 * kiosk process (`desktop/src/kiosk-web/main.ts`) and system Chromium, with wristbands tapped on the virtual NFC
 * reader when pcscd and vpcd are installed (else entered by hand with the supervisor PIN). Each screen is saved at
 * 1024×768 and 1920×1080 as docs/screenshots/kiosk-<screen>-<w>x<h>.png.
 *
 *   npx tsx e2e/screenshots/kiosk-screens.ts [--out <dir>] [--keep]
 *
 * The hub is found over mDNS and listed on the first screen, but the kiosk pairs by the hub's loopback address typed
 * by hand: the LAN address mDNS gives is not one this machine's tests may connect to.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { ensurePcscd, pcscdAvailable, type PcscdControl } from '../harness/pcscd.ts';
import { ServiceProcess } from '../harness/service-process.ts';
import { cloudProcess, freePort, hubProcess } from '../harness/venue.ts';
import { placeTag, tap as tapTag } from '../harness/virtual-tag.ts';
import { HeadOffice } from '../kiosk/head-office.ts';
import { KioskPage } from '../page-models/kiosk-page.ts';
import { shootDesk, shootDeskOffline } from './desk-screens.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const outDir = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1]! : path.join(root, 'docs/screenshots'));
const keep = args.includes('--keep');
/** Only the registration desk's screens (quicker while working on them). */
const deskOnly = args.includes('--desk-only');

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
] as const;

/** Demo constants (cloud/src/seed/demo-constants.ts), repeated so this script needs no cloud import. */
const BARTENDER_PIN = '1234';
const SUPERVISOR_PIN = '9999';
const bandUid = (n: number) => `04${n.toString(16).toUpperCase().padStart(12, '0')}`;
const BLOCKED_BAND = 50;
const HUB_NAME = 'Riverside main hub';

function log(line: string): void {
  process.stdout.write(`  ${line}\n`);
}

async function settle(page: Page): Promise<void> {
  // Two frames: the resize has been laid out and painted.
  // (a string: this file is checked without the DOM library)
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  mkdirSync(outDir, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-kiosk-shots-'));
  const venueKey = randomBytes(18).toString('base64url');
  const adminToken = randomBytes(18).toString('base64url');
  const processes: ServiceProcess[] = [];
  let pcscd: PcscdControl | null = null;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | null = null;
  const shots: string[] = [];

  try {
    const nfcCheck = pcscdAvailable();
    if (nfcCheck.ok) pcscd = await ensurePcscd();
    else log(`NFC: ${nfcCheck.reason}; wristbands are entered by hand and the balance check is skipped.`);
    const nfc = pcscd !== null;

    // The hub first, with the cloud still down, so the kiosk's "waiting for configuration" screen can be seen.
    const cloudPort = await freePort();
    const hubPort = await freePort();
    // On all interfaces so it advertises itself over mDNS (a loopback-only hub does not); everything here still
    // reaches it over loopback.
    const hub = hubProcess({ dir: path.join(dir, 'hub'), port: hubPort, cloudUrl: `http://127.0.0.1:${cloudPort}`, venueKey, name: HUB_NAME, host: '0.0.0.0' });
    processes.push(hub);
    const hubReady = await hub.start();
    // A restarted hub shows a new code: the desk's kiosk pairs with the latest.
    let pairingCode = String(hubReady.pairingCode);
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    log(`hub ready at ${hubUrl}, pairing code ${pairingCode}`);

    const kioskDir = path.join(dir, 'kiosk');
    mkdirSync(kioskDir, { recursive: true });
    const kiosk = new ServiceProcess({
      name: 'kiosk',
      entry: path.join(root, 'desktop/src/kiosk-web/main.ts'),
      // With --desk-only this kiosk is never used: it leaves the reader to the desk's kiosk.
      args: ['--no-browser', '--data-dir', kioskDir, ...(nfc && !deskOnly ? [] : ['--no-nfc'])],
      logFile: path.join(dir, 'kiosk.log'),
    });
    processes.push(kiosk);
    const kioskUrl = (await kiosk.start()).url!;
    log(`kiosk ready at ${kioskUrl.replace(/token=.*/, 'token=…')}`);

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: SIZES[0] });
    const k = new KioskPage(page, 30_000);

    const shootPage = async (p: Page, name: string) => {
      for (const size of SIZES) {
        await p.setViewportSize(size);
        await settle(p);
        const file = path.join(outDir, `kiosk-${name}-${size.width}x${size.height}.png`);
        await p.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
        shots.push(path.relative(root, file));
      }
      await p.setViewportSize(SIZES[0]);
      await settle(p);
      log(`shot ${name}`);
    };
    const shot = (name: string) => shootPage(page, name);
    const cloud = cloudProcess({ dir: path.join(dir, 'cloud'), port: cloudPort, venueKey, adminToken, bands: 200 });
    processes.push(cloud);
    const present = async (n: number) => {
      if (nfc) await tapTag(bandUid(n));
      else await k.manualTap(SUPERVISOR_PIN, bandUid(n));
    };
    const scrollMenuTop = () => page.evaluate('document.querySelector(\'[data-testid="product-grid"]\')?.scrollTo(0, 0)');

    if (!deskOnly) {
      // 1. Pairing: hubs found on the LAN, the code pad, a wrong code.
      await k.goto(kioskUrl);
      await k.waitForScreen('pairing');
      // Our hub by name: other hubs on this machine's network may be listed too.
      const ourCard = page.locator(`[data-testid^="hub-card-"][data-name="${HUB_NAME}"]`);
      const found = await ourCard
        .waitFor({ timeout: 10_000 })
        .then(() => true)
        .catch(() => false);
      if (!found) log('no hub found over mDNS within 10 s; the pairing screen shows the search');
      await shot('pairing');
      if (found) {
        await ourCard.click();
        await k.typeDigits('code-key', pairingCode.slice(0, 4));
        await shot('pairing-code');
        await k.byTestId('pair-back').click();
      }
      const wrongCode = pairingCode === '000000' ? '111111' : '000000';
      await k.pairWith(hubUrl, wrongCode, 'Bar 1').then(
        () => {
          throw new Error('the hub accepted a wrong pairing code');
        },
        () => undefined,
      );
      await shot('pairing-error');
      // Still on the code step, with the name typed: the right code this time.
      await k.byTestId('code-key-back').click();
      for (let i = 0; i < 6; i++) await k.byTestId('code-key-back').click();
      await k.typeDigits('code-key', pairingCode);
      await k.byTestId('pair-submit').click();

      // 2. Paired; the hub has no configuration yet (its cloud is down).
      await k.waitForScreen('configuring');
      await shot('configuring');
      await cloud.start();
      log('cloud ready; waiting for the configuration to reach the kiosk');
      await k.waitForScreen('stations', 120_000);
      await page.locator('[data-testid^="station-"]').first().waitFor();
      await shot('stations');

      // 3. Login.
      await k.chooseStation('Main bar');
      await k.waitForScreen('login');
      await shot('login');
      const refused = await k.tryLogin('0000');
      if (!refused) throw new Error('PIN 0000 logged in');
      await shot('login-wrong-pin');
      await k.login(BARTENDER_PIN);

      // 4. Selling.
      await k.waitForHubStatus('connected');
      await k.addToCart('Pils 0.5 l', 2);
      await k.addToCart('Mojito');
      await k.addToCart('Fries');
      await scrollMenuTop();
      await shot('sell');
      await k.tapWristband();
      await shot('tap-wristband');
      let readToScreenMs: number | null = null;
      if (nfc) {
        // From the moment the reader has the band's UID to the approved screen being drawn.
        const tag = await placeTag(bandUid(1));
        await tag.read;
        const t0 = performance.now();
        await k.byTestId('result-approved').waitFor();
        readToScreenMs = performance.now() - t0;
        await tag.remove();
      } else await present(1);
      const approved = await k.expectApproved();
      await shot('approved');
      log(`approved: ${approved.firstName}, tab ${approved.tabTotalText}${readToScreenMs === null ? '' : `, on screen ${Math.round(readToScreenMs)} ms after the reader read the band`}`);
      await k.dismissApproved();

      await k.addToCart('Gin & Tonic');
      await scrollMenuTop();
      await k.tapWristband();
      await present(BLOCKED_BAND);
      const declined = await k.expectDeclined();
      await shot('declined');
      log(`declined: ${declined.reason}`);
      await k.backToOrder();

      if (nfc) {
        await tapTag(bandUid(1));
        await k.expectBalance();
        await shot('balance-check');
        await k.byTestId('balance-close').click();
      }

      // 5. The hub goes away: selling offline, within the offline limits.
      await hub.stop();
      await k.waitForOfflineBanner();
      await k.waitForHubStatus('offline');
      await scrollMenuTop();
      await shot('offline');
      await k.tapWristband();
      await present(3);
      const offlineResult = page.locator('[data-testid="result-approved"], [data-testid="result-declined"]').first();
      await offlineResult.waitFor();
      await shot((await offlineResult.getAttribute('data-testid')) === 'result-approved' ? 'approved-offline' : 'declined-offline');
      if (await k.byTestId('result-approved').isVisible()) await k.dismissApproved();
      else await k.backToOrder();
      pairingCode = String((await hub.start()).pairingCode);
      await k.waitForHubStatus('connected', 60_000);
      await k.waitForPendingCount(0, 60_000);

      // 6. Recent orders (one more sale first, so the list has some history) and a void.
      await k.addToCart('Aperol Spritz', 2);
      await k.tapWristband();
      await present(2);
      await k.expectApproved();
      await k.dismissApproved();
      await k.waitForPendingCount(0);
      await k.openRecent();
      await k.byTestId(`void-${approved.seq}`).click();
      await k.byTestId('void-reason-0').click();
      await shot('void');
      await k.byTestId('void-reason-close').click();
      await k.voidOrder(approved.seq, SUPERVISOR_PIN, 'Wrong drink');
      await k.waitForPendingCount(0);
      await shot('recent-orders');
      await k.closeRecent();

      // 7. No working reader: selling goes on with band numbers entered by a supervisor.
      if (pcscd) {
        await pcscd.kill();
        await page.locator('[data-testid="status-reader"]:not([data-state="ready"])').waitFor();
      }
      await k.addToCart('Cola', 2);
      await scrollMenuTop();
      await shot('no-reader');
      await k.byTestId('tap-button').click();
      await k.byTestId('supervisor-pin').waitFor();
      await k.typeDigits('supervisor-key', SUPERVISOR_PIN);
      await k.byTestId('supervisor-key-enter').click();
      await k.byTestId('manual-band').waitFor();
      for (const ch of bandUid(7)) await k.byTestId(`band-key-${ch}`).click();
      await shot('manual-entry');
      await k.byTestId('band-key-enter').click();
      await k.expectApproved();
      await k.dismissApproved();
      if (pcscd) await pcscd.start();

      // 8. Head office switches this terminal off on the console (a stolen kiosk): the kiosk says so, full screen,
      // with the id to find it by. Switched back on, it returns to the login screen by itself.
      const hubStatus = (await (await fetch(`${hubUrl}/v1/status`)).json()) as { terminals: Array<{ id: string; name: string }> };
      const terminalId = hubStatus.terminals.find((t) => t.name === 'Bar 1')?.id;
      if (!terminalId) throw new Error('the hub does not list the kiosk "Bar 1"');
      const office = await HeadOffice.signIn(browser, `http://127.0.0.1:${cloudPort}`);
      await office.revokeTerminal(terminalId, 'Stolen from the north bar');
      await k.expectRevoked(60_000);
      await shot('revoked');
      await office.restoreTerminal(terminalId);
      await k.waitForRevokedGone(60_000);
      await office.close();
      await k.login(BARTENDER_PIN);

      // 9. The kiosk process dies: the screen says so instead of looking alive.
      await kiosk.kill('SIGKILL');
      await k.byTestId('kiosk-unresponsive').waitFor();
      await shot('not-responding');
    } else {
      await cloud.start();
      await page.goto('about:blank');
    }

    // 10. The registration desk, on a second kiosk process; its bands are tapped on the same virtual reader now that
    // the bar's kiosk process is gone.
    const desk = await shootDesk({
      browser,
      root,
      dir,
      hubUrl,
      pairingCode,
      cloudUrl: `http://127.0.0.1:${cloudPort}`,
      adminToken,
      nfc,
      supervisorPin: SUPERVISOR_PIN,
      bartenderPin: BARTENDER_PIN,
      bandUid,
      shoot: shootPage,
      log,
    });
    processes.push(desk.kiosk);
    await hub.stop();
    await shootDeskOffline(desk.page, { shoot: shootPage });

    log(`${shots.length} screenshots in ${path.relative(root, outDir) || outDir}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
    for (const p of processes) p.closeLog();
    await pcscd?.stop().catch(() => undefined);
    if (keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`\nkiosk screenshots failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
