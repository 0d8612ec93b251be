import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatMoney, newId, type Sale, type Void } from '@tapline/shared';
import type { Browser } from 'playwright-core';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { DEMO_EVENT_ID, DEMO_PRODUCTS, DEMO_STAFF, DEMO_STATIONS, demoBandUid } from '../../cloud/src/seed/demo-constants.ts';
import type { RunningCloud } from '../../cloud/src/start.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

/*
 * The Live screen on a cloud holding an evening of trade from two hubs: the KPI cards show the net the test computed,
 * and a sale uploaded while the screen is open appears without a reload. Screenshot at 1440×900 into a temp folder, or
 * docs/screenshots/console-live.png with TAPLINE_SCREENSHOTS_DIR=docs/screenshots.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VENUE_KEY = 'console-e2e-venue-key';
const skip = browserMissing() ?? false;

/** A small deterministic generator (mulberry32), so every run draws the same evening. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Six hours of sales up to now, busier in the evening, at two bars; about 2 % voided. */
function evening(now: number): { sales: Sale[]; voids: Void[]; net: number; orders: number } {
  const rnd = random(7);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const sales: Sale[] = [];
  const voids: Void[] = [];
  const seqs = new Map<string, number>();
  const next = (terminal: string) => {
    const n = (seqs.get(terminal) ?? 0) + 1;
    seqs.set(terminal, n);
    return n;
  };
  let net = 0;
  for (let minute = 360; minute > 0; minute--) {
    // Quiet early, a peak around two hours ago.
    const rate = 0.6 + 2.6 * Math.exp(-(((minute - 120) / 70) ** 2));
    const count = Math.floor(rate + rnd());
    for (let i = 0; i < count; i++) {
      const north = rnd() < 0.4;
      const terminal = north ? 'term-north-1' : pick(['term-main-1', 'term-main-2']);
      const menu = north ? DEMO_PRODUCTS.filter((p) => !p.id.startsWith('food')) : DEMO_PRODUCTS;
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 2.2) }, () => {
        const p = pick(menu);
        return { productId: p.id, name: p.name, quantity: 1 + Math.floor(rnd() * 2.5), unitPrice: p.price };
      });
      const at = new Date(now - minute * 60_000 + Math.floor(rnd() * 60_000)).toISOString();
      const sale: Sale = {
        id: newId(),
        terminalId: terminal,
        seq: next(terminal),
        eventId: DEMO_EVENT_ID,
        stationId: north ? DEMO_STATIONS.barNorth : DEMO_STATIONS.barMain,
        staffId: rnd() < 0.85 ? DEMO_STAFF.bartender.id : DEMO_STAFF.supervisor.id,
        bandUid: demoBandUid(1 + Math.floor(rnd() * 19)),
        createdAt: at,
        offline: false,
        kind: 'sale',
        currency: 'EUR',
        lines,
        total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
      };
      sales.push(sale);
      if (rnd() < 0.02) {
        voids.push({
          id: newId(),
          terminalId: terminal,
          seq: next(terminal),
          eventId: DEMO_EVENT_ID,
          stationId: sale.stationId,
          staffId: sale.staffId,
          bandUid: sale.bandUid,
          createdAt: at,
          offline: false,
          kind: 'void',
          voidsOrderId: sale.id,
          reason: 'Rang up the wrong drink',
          supervisorId: DEMO_STAFF.supervisor.id,
        });
      } else net += sale.total;
    }
  }
  return { sales, voids, net, orders: sales.length - voids.length };
}

describe('console Live screen (Chromium, 1440×900)', { skip, timeout: 180_000 }, () => {
  let cloud: RunningCloud;
  let stop: () => Promise<void>;
  let browser: Browser;
  let dir: string;

  const push = async (hubId: string, orders: unknown[], backlog?: number) => {
    for (let i = 0; i < orders.length; i += 1000) {
      const res = await fetch(`${cloud.url}/v1/sync/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${VENUE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ v: 1, hubId, orders: orders.slice(i, i + 1000), ...(backlog === undefined ? {} : { backlog }) }),
      });
      assert.equal(res.status, 200, await res.text());
    }
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-live-'));
    ({ cloud, stop } = await startConsoleCloud());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('KPIs, chart, tables and hubs from the uploads; a new upload shows up while the screen is open', async () => {
    const now = Date.now();
    const day = evening(now);
    const main = [...day.sales, ...day.voids].filter((o) => o.terminalId !== 'term-north-1');
    const north = [...day.sales, ...day.voids].filter((o) => o.terminalId === 'term-north-1');
    await push('hub-main-stage', main, 0);
    await push('hub-north-field', north, 137);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await ui.goTo('Live');
    await page.getByTestId('kpi-net').waitFor();
    assert.equal(await page.getByTestId('kpi-net').textContent(), formatMoney(day.net, 'EUR'));
    assert.equal(await page.getByTestId('kpi-orders').textContent(), day.orders.toLocaleString('en'));
    assert.ok(await page.getByRole('img', { name: 'Net sales per 5 min' }).isVisible());
    assert.ok(await page.getByRole('table', { name: 'Sales by station' }).getByText('North bar').isVisible());
    assert.ok(await page.getByRole('list', { name: 'Hubs' }).getByText('137 waiting').isVisible());
    await page.getByTestId('live-refreshed').waitFor();
    await ui.settle();
    const out = process.env.TAPLINE_SCREENSHOTS_DIR ? path.resolve(root, process.env.TAPLINE_SCREENSHOTS_DIR) : path.join(dir, 'shots');
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'console-live.png') });

    // One more sale uploaded: the next refresh shows it, no reload.
    const extra: Sale = { ...day.sales[0]!, id: newId(), seq: 100_000, createdAt: new Date().toISOString() };
    await push('hub-main-stage', [extra], 0);
    await page.getByTestId('kpi-orders').filter({ hasText: (day.orders + 1).toLocaleString('en') }).waitFor();
    assert.equal(await page.getByTestId('kpi-net').textContent(), formatMoney(day.net + extra.total, 'EUR'));
    await context.close();
  });
});
