/**
 * The registration desk's screens for docs/screenshots (kiosk-desk-<screen>-<w>x<h>.png), run by kiosk-screens.ts on
 * its venue: a second kiosk process set up at the demo's registration desk, a supervisor logged in, bands tapped on
 * the virtual reader (or entered by number without NFC).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ServiceProcess } from '../harness/service-process.ts';
import { tap as tapTag, VIRTUAL_READERS } from '../harness/virtual-tag.ts';
import { waitFor } from '../harness/wait.ts';
import { DeskPage } from '../page-models/desk-page.ts';

export interface DeskShotsContext {
  browser: Browser;
  root: string;
  dir: string;
  hubUrl: string;
  pairingCode: string;
  cloudUrl: string;
  adminToken: string;
  nfc: boolean;
  supervisorPin: string;
  bartenderPin: string;
  bandUid: (n: number) => string;
  /** Saves the page at every size as kiosk-<name>-<w>x<h>.png. */
  shoot: (page: Page, name: string) => Promise<void>;
  log: (line: string) => void;
}

/** A pre-registered attendee with no card yet: the desk shows the QR code of the card page. */
const LEA = { id: 'attendee-lea', firstName: 'Lea', lastName: 'de Vries', email: 'lea.devries@example.com', phone: '+31612345678' };

export async function shootDesk(c: DeskShotsContext): Promise<{ kiosk: ServiceProcess; page: Page }> {
  const res = await fetch(`${c.cloudUrl}/v1/admin/events/demo-event/attendees`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${c.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ attendees: [{ ...LEA, smsConsent: true, card: { status: 'none', stripeCustomerId: null, stripePaymentMethodId: null, last4: null } }] }),
  });
  if (!res.ok) throw new Error(`PUT attendees: HTTP ${res.status} ${await res.text()}`);

  const kioskDir = path.join(c.dir, 'desk-kiosk');
  const kiosk = new ServiceProcess({
    name: 'desk-kiosk',
    entry: path.join(c.root, 'desktop/src/kiosk-web/main.ts'),
    args: ['--no-browser', '--no-mdns', '--data-dir', kioskDir, ...(c.nfc ? [] : ['--no-nfc'])],
    logFile: path.join(c.dir, 'desk-kiosk.log'),
  });
  const url = (await kiosk.start()).url!;
  const page = await c.browser.newPage({ viewport: { width: 1024, height: 768 } });
  const d = new DeskPage(page, 30_000);
  const shot = (name: string) => c.shoot(page, `desk-${name}`);
  let reader = 0;
  const present = async (uid: string) => {
    if (c.nfc) {
      // Alternate the two virtual readers: the same band back on one reader at once is taken for a flap.
      await tapTag(uid, { port: VIRTUAL_READERS[reader++ % 2]!.port });
    } else await d.enterBandNumber(c.supervisorPin, uid);
  };

  await d.goto(url);
  await d.pairWith(c.hubUrl, c.pairingCode, 'Desk 1');
  await d.waitForScreen('stations');
  await page.locator('[data-testid^="station-"]').first().waitFor();
  await shot('stations');
  await d.chooseStation('Registration desk');
  const refused = await d.tryLogin(c.bartenderPin);
  if (!refused) throw new Error('a bartender logged in at the desk');
  await shot('login-bartender');
  await d.login(c.supervisorPin);
  await d.waitForDesk('find');
  await d.waitForHubStatus('connected');
  await shot('find');

  // Results: a first name many demo attendees share; Lea once the cloud's attendee has reached the hub.
  await d.search('Emma');
  await shot('results');
  await waitFor(
    async () => {
      const found = await d.search('Lea');
      return found.kind === 'results' && found.rows.some((r) => r.id === LEA.id);
    },
    { timeoutMs: 60_000, intervalMs: 300, what: "the cloud's attendee at the hub" },
  );

  const lea = await d.openResult(LEA.id);
  c.log(`attendee ${lea.name}: card ${lea.card}, QR ${lea.cardQrUrl ? 'shown' : 'absent'}`);
  await d.waitForPairing();
  await shot('attendee-no-card');

  // A band that is someone else's is refused on the spot.
  if (!(await d.tapToPair(() => present(c.bandUid(2)))).refused) throw new Error("someone else's band was paired");
  await shot('pair-refused');
  await d.pairByTap(() => present(c.bandUid(0x2001)));
  await shot('paired');

  // Walk-up: the form, its field errors, then the band.
  await d.toFind();
  await d.byTestId('desk-walkup-button').click();
  await d.byTestId('desk-signup').waitFor();
  await shot('signup');
  await d.signUp({ firstName: 'Marco', lastName: 'Rossi', phone: '06 123', email: 'marco@' });
  await shot('signup-errors');
  await d.signUp({ firstName: 'Marco', lastName: 'Rossi', phone: '+39 347 123 4567', email: 'marco.rossi@example.com', smsConsent: true });
  await d.waitForPairing();
  await shot('walkup-tap-band');
  await d.pairByTap(() => present(c.bandUid(0x2002)));

  // A lost band: the attendee with their band, the block dialog, then "tap the new band".
  const found = await d.search('+31610000004');
  if (found.kind !== 'results' || !found.rows[0]) throw new Error('attendee 4 not found by phone');
  await d.openResult(found.rows[0].id);
  await shot('attendee-band');
  await d.byTestId(`desk-lost-${c.bandUid(4)}`).click();
  await d.byTestId('desk-block').waitFor();
  await d.byTestId('block-reason-lost').click();
  await shot('block-band');
  await d.byTestId('block-confirm').click();
  await d.waitForPairing(c.bandUid(4));
  await shot('tap-new-band');
  await d.pairByTap(() => present(c.bandUid(0x2003)));
  await shot('paired-replacement');

  // A band found on the floor, tapped on the find screen (a reader is needed: there is no number entry there).
  await d.toFind();
  if (c.nfc) {
    await present(c.bandUid(9));
    await d.foundBand();
    await shot('found-band');
    await d.blockFoundBand('other', 'Found on the dance floor');
  }
  return { kiosk, page };
}

/** The hub is down: searching says so (the caller stops the hub first). */
export async function shootDeskOffline(page: Page, c: Pick<DeskShotsContext, 'shoot'>): Promise<void> {
  const d = new DeskPage(page, 30_000);
  await d.waitForHubStatus('offline');
  await d.search('Emma');
  await c.shoot(page, 'desk-hub-unreachable');
}
