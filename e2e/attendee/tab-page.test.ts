import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyBasisPoints, formatMoney, newId, type Sale } from '@tapline/shared';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { DEMO_EVENT_ID, DEMO_STAFF, DEMO_STATIONS, demoBandUid } from '../../cloud/src/seed/demo-constants.ts';
import { tabLinks } from '../../cloud/src/services/tab-links.ts';
import { type RunningCloud, startCloud } from '../../cloud/src/start.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';

/*
 * The attendee opens the link of their SMS receipt on a phone (390×844): the tab of a band with orders (a promotion, a
 * tax, a voided order), picks a 15 % tip, sees the total change, and the cloud's recomputed tab agrees. Screenshots of
 * the tab, the tipped tab and the receipt go to a temp folder, or to docs/screenshots with
 * TAPLINE_SCREENSHOTS_DIR=docs/screenshots.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = 'attendee-tab-e2e-admin-token';
const VENUE_KEY = 'attendee-tab-e2e-venue-key';
const LINK_SECRET = 'attendee-tab-e2e-link-secret';
const skip = browserMissing() ?? false;

describe('attendee tab page: open the SMS link, tip 15 %, the tab is recomputed (Chromium, phone size)', { skip, timeout: 120_000 }, () => {
  let dir: string;
  let cloud: RunningCloud;
  let browser: Browser;
  let page: Page;
  const band = demoBandUid(3);
  const shotsDir = process.env.TAPLINE_SCREENSHOTS_DIR ? path.resolve(root, process.env.TAPLINE_SCREENSHOTS_DIR) : '';
  const shoot = async (name: string) => {
    const out = shotsDir || path.join(dir, 'shots');
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  };
  const call = async (method: string, url: string, token: string | null, body?: unknown) => {
    const res = await fetch(cloud.url + url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    assert.ok(res.ok, `${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  /** Resolves once a committed recompute of the band satisfies `ready` (checked after each one; no polling). */
  const tabOnceRecomputed = (ready: (tab: { total: number; tips: number }) => boolean) =>
    new Promise<{ total: number; tips: number }>((resolve) => {
      const check = async (job: { eventId: string; bandUids: string[] }) => {
        if (job.eventId !== DEMO_EVENT_ID || !job.bandUids.includes(band)) return;
        const { tab } = await call('GET', `/t/${tabLinks({ secret: LINK_SECRET, publicUrl: () => '' }).sign(DEMO_EVENT_ID, band)}`, null);
        if (ready(tab)) {
          cloud.events.off('tabs:recomputed', check);
          resolve(tab);
        }
      };
      cloud.events.on('tabs:recomputed', check);
    });

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-tab-page-'));
    cloud = await startCloud({
      port: 0,
      host: '127.0.0.1',
      dataDir: path.join(dir, 'cloud'),
      adminToken: ADMIN,
      linkSecret: LINK_SECRET,
      seedDemo: { venueKey: VENUE_KEY, bands: 5 },
      jobPollingIntervalSeconds: 0.5,
      payments: { sweepIntervalSeconds: 0 },
      log: pino({ level: process.env.TAPLINE_LOG_LEVEL ?? 'silent' }),
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await cloud?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the tab, a 15 % tip, the recomputed tab and the receipt', async () => {
    const now = Date.now();
    await call('POST', `/v1/admin/events/${DEMO_EVENT_ID}/promotions`, ADMIN, {
      id: 'happy-hour',
      kind: 'category_percent',
      name: 'Happy hour cocktails',
      category: 'Cocktails',
      basisPoints: 2000,
      window: { from: new Date(now - 6 * 3_600_000).toISOString(), to: new Date(now + 6 * 3_600_000).toISOString() },
    });
    await call('POST', `/v1/admin/events/${DEMO_EVENT_ID}/tax-rules`, ADMIN, { category: 'Food', basisPoints: 900, mode: 'exclusive' });

    let seq = 0;
    const sale = (minutesAgo: number, stationId: string, lines: Sale['lines']): Sale => ({
      id: newId(),
      terminalId: 'term-e2e',
      seq: ++seq,
      eventId: DEMO_EVENT_ID,
      stationId,
      staffId: DEMO_STAFF.bartender.id,
      bandUid: band,
      createdAt: new Date(now - minutesAgo * 60_000).toISOString(),
      offline: false,
      kind: 'sale',
      currency: 'EUR',
      lines,
      total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
    });
    const beers = sale(95, DEMO_STATIONS.barMain, [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 }]);
    const wrong = sale(70, DEMO_STATIONS.barNorth, [{ productId: 'wine-red', name: 'House red', quantity: 1, unitPrice: 600 }]);
    const cocktails = sale(40, DEMO_STATIONS.barNorth, [
      { productId: 'cocktail-spritz', name: 'Aperol Spritz', quantity: 2, unitPrice: 950 },
      { productId: 'soft-water', name: 'Water', quantity: 1, unitPrice: 300 },
    ]);
    const food = sale(15, DEMO_STATIONS.barMain, [
      { productId: 'food-burger', name: 'Burger', quantity: 1, unitPrice: 1250 },
      { productId: 'food-fries', name: 'Fries', quantity: 1, unitPrice: 500 },
    ]);
    const voidWrong = {
      ...wrong,
      id: newId(),
      seq: ++seq,
      createdAt: new Date(now - 69 * 60_000).toISOString(),
      kind: 'void' as const,
      voidsOrderId: wrong.id,
      reason: 'Rang up the wrong drink',
      supervisorId: DEMO_STAFF.supervisor.id,
      currency: undefined,
      lines: undefined,
      total: undefined,
    };
    const priced = tabOnceRecomputed((t) => t.total > 0);
    await call('POST', '/v1/sync/push', VENUE_KEY, { v: 1, hubId: 'hub-e2e', orders: [beers, wrong, voidWrong, cocktails, food] });
    const before = await priced;
    // 2 × 5.50 + (2 × 9.50 − 20 %) + 3.00 + (12.50 + 5.00) × 1.09 = 11.00 + 15.20 + 3.00 + 19.08
    assert.equal(before.total, 4828);
    const tip = applyBasisPoints(before.total, 1500);
    const link = tabLinks({ secret: LINK_SECRET, publicUrl: () => cloud.url }).url(DEMO_EVENT_ID, band);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    page = await context.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Riverside Festival' }).waitFor();
    assert.equal(await page.getByTestId('hero-total').textContent(), formatMoney(4828, 'EUR'));
    assert.equal(await page.getByTestId('total').textContent(), formatMoney(4828, 'EUR'));
    assert.ok(await page.getByText('Voided').isVisible());
    assert.ok(await page.getByText('Happy hour cocktails').first().isVisible());
    await shoot('attendee-tab');

    const recomputed = tabOnceRecomputed((t) => t.tips === tip);
    await page.locator('label.chip', { hasText: '15 %' }).click();
    await Promise.all([page.waitForURL(/\?tip=saved$/), page.getByRole('button', { name: 'Update tip' }).click()]);
    await page.getByText('Your tip is updated').waitFor();
    assert.equal(await page.getByTestId('tip').textContent(), formatMoney(tip, 'EUR'));
    assert.equal(await page.getByTestId('total').textContent(), formatMoney(4828 + tip, 'EUR'));
    assert.equal(await page.getByTestId('hero-total').textContent(), formatMoney(4828 + tip, 'EUR'));
    assert.ok(await page.locator('input[name=choice][value="15"]').isChecked());
    const tab = await recomputed;
    assert.deepEqual(tab.total, 4828 + tip);
    await shoot('attendee-tab-tipped');

    await page.getByRole('link', { name: 'View receipt' }).click();
    await page.getByRole('heading', { name: 'Receipt' }).waitFor();
    assert.ok(await page.getByRole('cell', { name: 'Aperol Spritz' }).isVisible());
    assert.equal(await page.getByRole('cell', { name: 'House red' }).count(), 0);
    assert.equal(await page.getByTestId('total').textContent(), formatMoney(4828 + tip, 'EUR'));
    await shoot('attendee-tab-receipt');
    await context.close();
  });
});
