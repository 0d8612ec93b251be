/**
 * Screenshots of the console's own screens (sign-in, two-factor, team, audit log, event picker, devices) at 1440×900 into
 * docs/screenshots/console-<screen>.png, from a real cloud seeded with the demo and system Chromium.
 *
 *   npx tsx e2e/console/console-screens.ts [--out <dir>]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { newId } from '@tapline/shared';
import { push, sale } from '../../cloud/test/helpers/facts.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
/** The venue key console-fixture.ts seeds the demo with. */
const VENUE_KEY = 'console-e2e-venue-key';
const outDir = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1]! : path.join(root, 'docs/screenshots'));

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** The venue's kiosks on two hubs: trading, away, never connected, lost. */
const KIOSKS = {
  main1: { id: newId(), label: 'Main bar 1', hub: 'hub-main-stage', online: true, seen: 0, sales: 46 },
  main2: { id: newId(), label: 'Main bar 2', hub: 'hub-main-stage', online: true, seen: 0, sales: 31 },
  cocktail: { id: newId(), label: 'Cocktail bar', hub: 'hub-main-stage', online: false, seen: 38, sales: 12 },
  spare: { id: newId(), label: 'Spare kiosk', hub: 'hub-main-stage', online: false, seen: null, sales: 0 },
  north: { id: newId(), label: 'North bar', hub: 'hub-north-field', online: true, seen: 1, sales: 22 },
  lost: { id: newId(), label: 'North bar 2', hub: 'hub-north-field', online: false, seen: 180, sales: 9 },
} as const;

/** Both hubs report their kiosks on a pull and upload what they sold, as a venue mid-evening does. */
async function venueTrading(cloudUrl: string): Promise<void> {
  const sync = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${cloudUrl}${path}`, { method, headers: { authorization: `Bearer ${VENUE_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { more?: boolean; cursor?: number };
  };
  for (const hubId of ['hub-main-stage', 'hub-north-field']) {
    const kiosks = Object.values(KIOSKS).filter((k) => k.hub === hubId);
    const orders = kiosks.flatMap((k) => Array.from({ length: k.sales }, (_, i) => sale({ terminalId: k.id, seq: i + 1, band: 1 + (i % 20) })));
    await sync('POST', '/v1/sync/push', { v: 1, hubId, orders, backlog: hubId === 'hub-north-field' ? 12 : 0 });
    const terminals = kiosks.map((k) => ({ id: k.id, label: k.label, pairedAt: ago(600), lastSeenAt: k.seen === null ? null : ago(k.seen), online: k.online }));
    // Caught up on configuration too, as a hub that has been online all evening is.
    let page = await sync('POST', '/v1/sync/pull', { v: 1, hubId, cursor: 0, limit: 5000, terminals });
    while (page.more) page = await sync('POST', '/v1/sync/pull', { v: 1, hubId, cursor: page.cursor, limit: 5000 });
  }
}

async function main(): Promise<void> {
  if (browserMissing()) process.exit(1);
  mkdirSync(outDir, { recursive: true });
  const { cloud, stop } = await startConsoleCloud();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    const shot = async (name: string) => {
      await ui.settle();
      const file = path.join(outDir, `console-${name}.png`);
      await page.screenshot({ path: file });
      console.log(`  ${path.relative(root, file)}`);
    };

    await ui.open();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('sign-in');

    // The manager's first sign-in: two-factor set-up with the QR code.
    await ui.signIn(DEMO_USERS.manager.email, DEMO_PASSWORD);
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await shot('totp-enrol');
    await page.getByRole('button', { name: 'Sign in as someone else' }).click();

    // A mistyped password first, so the audit log shows a failed attempt as well.
    await ui.signIn(DEMO_USERS.owner.email, 'tapline-dmeo');
    await page.getByRole('alert').waitFor();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByLabel('6-digit code').fill(totpCode(DEMO_OWNER_TOTP_SECRET).slice(0, 3));
    await shot('totp');
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await page.getByRole('navigation', { name: 'Console' }).waitFor();

    await ui.goTo('Team');
    await page.getByRole('table', { name: 'Team' }).waitFor();
    await shot('team');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByLabel('Name').fill('Sam Stock');
    await page.getByLabel('E-mail').fill('sam@demo.tapline.test');
    await shot('team-add');
    await page.getByRole('button', { name: 'Add member' }).last().click();
    await page.getByTestId('temporary-password').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByLabel('Role of Vera Viewer').selectOption('manager');
    await page.getByRole('table', { name: 'Team' }).getByText('At next sign-in').nth(2).waitFor();

    // Money on the log as well: a price change and a refund, through the console's own API with this session.
    const order = sale({ band: 3, lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 }] });
    const pushed = await fetch(`${cloud.url}/v1/sync/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VENUE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(push([order])),
    });
    if (!pushed.ok) throw new Error(`the demo sale was refused: ${pushed.status}`);
    const statuses = await page.evaluate(
      async ({ orderId, band }) => {
        // No local function here: tsx would wrap it in a helper the page does not have.
        const { csrfToken } = (await (await fetch('/v1/console/session')).json()) as { csrfToken: string };
        const headers = { 'content-type': 'application/json', 'x-csrf-token': csrfToken };
        const price = await fetch('/v1/console/events/demo-event/setup/products/beer-pils', {
          method: 'PUT',
          headers,
          body: JSON.stringify({ name: 'Pils 0.5 l', category: 'Beer', price: 600, active: true }),
        });
        const refund = await fetch(`/v1/console/events/demo-event/tabs/${band}/refunds`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ orderId, amount: 275, reason: 'Served warm' }),
        });
        return [price.status, refund.status];
      },
      { orderId: order.id, band: order.bandUid },
    );
    if (statuses.join() !== '200,201') throw new Error(`the console refused the demo changes: ${statuses.join(', ')}`);

    await ui.goTo('Audit log');
    await page.getByRole('table', { name: 'Audit log' }).getByText('Refunded an order').waitFor();
    await shot('audit-log');

    await page.getByRole('button', { name: 'Pick an event' }).click();
    await shot('event-picker');
    await page.keyboard.press('Escape');

    await venueTrading(cloud.url);
    const revoked = await page.evaluate(async (id) => {
      const { csrfToken } = (await (await fetch('/v1/console/session')).json()) as { csrfToken: string };
      const res = await fetch(`/v1/console/venues/demo-venue/terminals/${id}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ reason: 'Missing since the night shift' }),
      });
      return res.status;
    }, KIOSKS.lost.id);
    if (revoked !== 200) throw new Error(`the console refused the revoke: ${revoked}`);
    await ui.goTo('Devices');
    await page.getByRole('table', { name: 'Terminals' }).getByText('Spare kiosk').waitFor();
    await page.getByRole('table', { name: 'Terminals' }).getByText('Revoked').waitFor();
    // The whole page: the terminals are what this screen is for, and they sit below the fold.
    await ui.settle();
    await page.screenshot({ path: path.join(outDir, 'console-devices.png'), fullPage: true });
    console.log(`  ${path.relative(root, path.join(outDir, 'console-devices.png'))}`);
    await context.close();
  } finally {
    await browser.close();
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
