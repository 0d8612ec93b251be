import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatMoney, newId, type Sale, type Void } from '@tapline/shared';
import type { Browser, Page } from 'playwright-core';
import { tabPayments } from '../../cloud/src/db/schema.ts';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { DEMO_EVENT_ID, DEMO_PRODUCTS, DEMO_STAFF, DEMO_STATIONS, demoBandUid } from '../../cloud/src/seed/demo-constants.ts';
import type { RunningCloud } from '../../cloud/src/start.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

/*
 * Attendees & tabs in Chromium: find the demo's attendee Emma, open her tab, refund one order with a reason, and see
 * the total drop once the recompute job has run. Screenshots at 1440×900 into a temp folder, or into
 * docs/screenshots/console-attendees*.png and console-tab*.png with TAPLINE_SCREENSHOTS_DIR=docs/screenshots.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VENUE_KEY = 'console-e2e-venue-key';
const ADMIN_TOKEN = 'console-e2e-admin-token';
const skip = browserMissing() ?? false;
const MIN = 60_000;

const product = (id: string) => DEMO_PRODUCTS.find((p) => p.id === id)!;
const seqs = new Map<string, number>();
const nextSeq = (terminal: string) => {
  const n = (seqs.get(terminal) ?? 0) + 1;
  seqs.set(terminal, n);
  return n;
};

function sale(band: number, minutesAgo: number, items: Array<[string, number]>, where: { north?: boolean; supervisor?: boolean; currency?: string } = {}): Sale {
  const terminalId = where.north ? 'term-north-1' : 'term-main-1';
  const lines = items.map(([id, quantity]) => ({ productId: id, name: product(id).name, quantity, unitPrice: product(id).price }));
  return {
    id: newId(),
    terminalId,
    seq: nextSeq(terminalId),
    eventId: DEMO_EVENT_ID,
    stationId: where.north ? DEMO_STATIONS.barNorth : DEMO_STATIONS.barMain,
    staffId: where.supervisor ? DEMO_STAFF.supervisor.id : DEMO_STAFF.bartender.id,
    bandUid: demoBandUid(band),
    createdAt: new Date(Date.now() - minutesAgo * MIN).toISOString(),
    offline: false,
    kind: 'sale',
    currency: where.currency ?? 'EUR',
    lines,
    total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
  };
}

function voidOf(s: Sale, reason: string): Void {
  return {
    id: newId(),
    terminalId: s.terminalId,
    seq: nextSeq(s.terminalId),
    eventId: s.eventId,
    stationId: s.stationId,
    staffId: s.staffId,
    bandUid: s.bandUid,
    createdAt: new Date(Date.parse(s.createdAt) + MIN).toISOString(),
    offline: false,
    kind: 'void',
    voidsOrderId: s.id,
    reason,
    supervisorId: DEMO_STAFF.supervisor.id,
  };
}

describe('console Attendees & tabs (Chromium, 1440×900)', { skip, timeout: 180_000 }, () => {
  let cloud: RunningCloud;
  let stop: () => Promise<void>;
  let browser: Browser;
  let dir: string;

  const post = async (token: string, url: string, body: unknown) => {
    const res = await fetch(cloud.url + url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.status < 300, `${url}: ${res.status} ${await res.text()}`);
  };

  // Emma's evening: beers in happy hour (20 % off beer, 21 % tax on beer on top), a cocktail round, fries voided at
  // the bar, a late burger.
  const emma = {
    beers: sale(1, 170, [['beer-pils', 2], ['beer-ipa', 1]]),
    cocktails: sale(1, 95, [['cocktail-mojito', 1], ['cocktail-spritz', 1]], { north: true }),
    fries: sale(1, 60, [['food-fries', 1]]),
    burger: sale(1, 25, [['food-burger', 1], ['soft-cola', 1]], { supervisor: true }),
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-attendees-'));
    ({ cloud, stop } = await startConsoleCloud());
    browser = await launchBrowser();
    const now = Date.now();
    // Each pricing change recalculates the event's tabs; both are done before any sale arrives, so the one
    // unpriceable sale below is dead-lettered exactly once.
    const recalculated = new Promise<void>((resolve) => {
      let n = 0;
      cloud.events.on('tabs:recalculated', () => ++n === 2 && resolve());
    });
    await post(ADMIN_TOKEN, `/v1/admin/events/${DEMO_EVENT_ID}/promotions`, {
      id: 'happy-hour-beer',
      name: 'Happy hour: 20 % off beer',
      kind: 'category_percent',
      category: 'Beer',
      basisPoints: 2000,
      window: { from: new Date(now - 4 * 60 * MIN).toISOString(), to: new Date(now - 120 * MIN).toISOString() },
    });
    await post(ADMIN_TOKEN, `/v1/admin/events/${DEMO_EVENT_ID}/tax-rules`, { category: 'Beer', basisPoints: 2100, mode: 'exclusive' });
    await recalculated;
    const others: Sale[] = [];
    for (let band = 2; band <= 18; band++) {
      for (let i = 0; i < 1 + (band % 4); i++) {
        const p = DEMO_PRODUCTS[(band * 3 + i * 5) % DEMO_PRODUCTS.length]!;
        others.push(sale(band, 200 - band * 7 - i * 11, [[p.id, 1 + ((band + i) % 3)]], { north: (band + i) % 3 === 0 }));
      }
    }
    // A sale in dollars on a euro event cannot be priced: its recompute is dead-lettered (Needs attention).
    const dollars = sale(19, 30, [['beer-pils', 1]], { currency: 'USD' });
    const recomputed = new Promise<void>((resolve) => {
      const seen = new Set<string>();
      cloud.events.on('tabs:recomputed', (job) => {
        job.bandUids.forEach((b) => seen.add(b));
        if (seen.has(demoBandUid(1)) && seen.has(demoBandUid(18))) resolve();
      });
    });
    const deadLettered = new Promise<void>((resolve) => cloud.events.on('jobs:failed', (f) => f.deadLettered && resolve()));
    await post(VENUE_KEY, '/v1/sync/push', {
      v: 1,
      hubId: 'hub-main-stage',
      orders: [...Object.values(emma), voidOf(emma.fries, 'Rang up twice'), ...others, dollars],
    });
    await Promise.all([recomputed, deadLettered]);
    // A card declined at the last hold (what the payment sweeper records when Stripe says no).
    await cloud.database.db.insert(tabPayments).values({
      eventId: DEMO_EVENT_ID,
      bandUid: demoBandUid(7),
      attendeeId: 'attendee-7',
      status: 'declined',
      declineCode: 'insufficient_funds',
      reason: 'Your card has insufficient funds.',
      flaggedAt: new Date(now - 40 * MIN).toISOString(),
    });
  });
  after(async () => {
    await browser?.close();
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("find Emma, open her tab, refund one order with a reason: the total drops", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, acceptDownloads: true });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    const out = process.env.TAPLINE_SCREENSHOTS_DIR ? path.resolve(root, process.env.TAPLINE_SCREENSHOTS_DIR) : path.join(dir, 'shots');
    mkdirSync(out, { recursive: true });
    const shot = async (p: Page, name: string) => {
      await ui.settle();
      await p.screenshot({ path: path.join(out, `${name}.png`) });
    };

    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await ui.goTo('Attendees & tabs');
    await page.getByRole('table', { name: 'Attendees' }).getByRole('link', { name: 'Noah', exact: true }).waitFor();
    await shot(page, 'console-attendees');

    await page.getByLabel('Search attendees').fill('Emma');
    await page.getByTestId('attendee-count').filter({ hasText: '1 attendee' }).waitFor();
    const table = page.getByRole('table', { name: 'Attendees' });
    assert.equal(await table.getByRole('row').count(), 2, 'the header and Emma');
    await table.getByRole('link', { name: 'Emma', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: 'Emma' }).waitFor();
    const total = page.getByTestId('tab-total');
    await total.waitFor();
    // Beers: 2 Pils + 1 IPA = 1750, 20 % off = 1400, 21 % tax = 294 → 1694. Cocktails 2050. Burger + cola 1600.
    const before = 1694 + 2050 + 1600;
    assert.equal(await total.textContent(), formatMoney(before, 'EUR'));
    const fries = page.locator(`article[data-order-id="${emma.fries.id}"]`);
    assert.ok(await fries.getByText('Voided', { exact: true }).isVisible());
    assert.ok(await fries.getByText('Voided at the bar by Alex (supervisor): “Rang up twice”').isVisible());
    await shot(page, 'console-tab');

    const cocktails = page.locator(`article[data-order-id="${emma.cocktails.id}"]`);
    await cocktails.getByRole('button', { name: 'Refund' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund this order' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: /^Refund/ });
    assert.equal(await confirm.isDisabled(), true, 'no reason yet');
    await dialog.getByLabel('Amount to refund (EUR)').fill('9.50');
    await dialog.getByLabel('Reason').fill('Spritz was flat; refunded at the guest desk');
    await shot(page, 'console-tab-refund');
    await confirm.click();
    await dialog.waitFor({ state: 'detached' });

    // The refund is recorded at once; the total follows when the tabs.recompute job has run.
    await page.getByTestId('tab-total').filter({ hasText: formatMoney(before - 950, 'EUR') }).waitFor();
    assert.equal(await page.getByTestId('tab-refunds').textContent(), `−${formatMoney(950, 'EUR')}`);
    assert.ok(await cocktails.getByText('Spritz was flat; refunded at the guest desk', { exact: false }).isVisible());
    await page.getByRole('status').filter({ hasText: 'The total is up to date.' }).waitFor();
    await shot(page, 'console-tab-refunded');

    // Needs attention: the declined card and the dead-lettered recompute, then an orders export to download.
    await page.getByRole('link', { name: 'Attendees & tabs' }).first().click();
    await page.getByRole('link', { name: /Needs attention/ }).click();
    await page.getByRole('table', { name: 'Payments that need attention' }).getByText('Your card has insufficient funds.').waitFor();
    assert.ok(await page.getByRole('table', { name: 'Jobs that gave up' }).getByText('Recompute tabs', { exact: true }).isVisible());
    await page.getByRole('button', { name: 'Export orders' }).click();
    const download = page.getByRole('link', { name: 'Download the orders CSV' });
    await download.waitFor();
    await shot(page, 'console-attendees-attention');
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    assert.match(file.suggestedFilename(), /^tapline-demo-event-orders-\d{8}-\d{4}\.csv$/);
    await context.close();
  });
});
