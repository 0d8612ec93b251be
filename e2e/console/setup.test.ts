import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ConfigChange, newId, type Sale } from '@tapline/shared';
import type { Browser, Page } from 'playwright-core';
import { DEMO_OWNER_TOTP_SECRET, DEMO_PASSWORD, DEMO_USERS } from '../../cloud/src/services/accounts-demo-constants.ts';
import { totpCode } from '../../cloud/src/services/accounts-totp.ts';
import { DEMO_EVENT_ID, DEMO_PRODUCTS, DEMO_STAFF, DEMO_STATIONS, demoBandUid } from '../../cloud/src/seed/demo-constants.ts';
import type { RunningCloud } from '../../cloud/src/start.ts';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { startConsoleCloud } from './console-fixture.ts';
import { ConsolePage } from './console-page.ts';

/*
 * Set-up and Devices in Chromium, signed in as the demo owner: a product's price changed and a product added to a
 * station's menu through the screens, each seen in the config log by a hub pulling with the venue key; a tax, a
 * promotion and the SMS wording set; the venue's hubs and terminals on Devices. Screenshots at 1440×900 into a temp
 * folder, or docs/screenshots/console-setup-*.png and console-devices.png with TAPLINE_SCREENSHOTS_DIR=docs/screenshots.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VENUE_KEY = 'console-e2e-venue-key';
const skip = browserMissing() ?? false;

/** A few sales per terminal, a minute apart, ending now. */
function sales(terminalId: string, stationId: string, count: number): Sale[] {
  return Array.from({ length: count }, (_, i) => {
    const p = DEMO_PRODUCTS[(i * 5 + terminalId.length) % DEMO_PRODUCTS.length]!;
    const lines = [{ productId: p.id, name: p.name, quantity: 1 + (i % 2), unitPrice: p.price }];
    return {
      id: newId(),
      terminalId,
      seq: i + 1,
      eventId: DEMO_EVENT_ID,
      stationId,
      staffId: DEMO_STAFF.bartender.id,
      bandUid: demoBandUid(1 + (i % 19)),
      createdAt: new Date(Date.now() - (count - i) * 60_000).toISOString(),
      offline: false,
      kind: 'sale',
      currency: 'EUR',
      lines,
      total: lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0),
    };
  });
}

describe('console Set-up and Devices (Chromium, 1440×900)', { skip, timeout: 240_000 }, () => {
  let cloud: RunningCloud;
  let stop: () => Promise<void>;
  let browser: Browser;
  let dir: string;
  let out: string;

  const sync = async (method: 'GET' | 'POST', p: string, body?: unknown) => {
    const res = await fetch(cloud.url + p, {
      method,
      headers: { authorization: `Bearer ${VENUE_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json() as Promise<any>;
  };
  /** What a hub gets pulling after `cursor` (every page). */
  const pull = async (cursor: number): Promise<{ changes: ConfigChange[]; cursor: number }> => {
    const changes: ConfigChange[] = [];
    let page = await sync('GET', `/v1/sync/pull?cursor=${cursor}&limit=5000`);
    changes.push(...page.changes);
    while (page.more) {
      page = await sync('GET', `/v1/sync/pull?cursor=${page.cursor}&limit=5000`);
      changes.push(...page.changes);
    }
    return { changes, cursor: page.cursor };
  };
  const shot = async (ui: ConsolePage, page: Page, name: string) => {
    // A save scrolls to its button: every shot shows the page from its top.
    await page.evaluate('window.scrollTo(0, 0)');
    await ui.settle();
    await page.screenshot({ path: path.join(out, `console-${name}.png`) });
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-setup-'));
    out = process.env.TAPLINE_SCREENSHOTS_DIR ? path.resolve(root, process.env.TAPLINE_SCREENSHOTS_DIR) : path.join(dir, 'shots');
    mkdirSync(out, { recursive: true });
    ({ cloud, stop } = await startConsoleCloud());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('change a price and add a product to a station: the config log grows and a hub pulling gets both', async () => {
    // The venue has been trading: two hubs, three terminals; the hub has pulled everything so far.
    await sync('POST', '/v1/sync/push', { v: 1, hubId: 'hub-main-stage', orders: [...sales('term-main-1', DEMO_STATIONS.barMain, 24), ...sales('term-main-2', DEMO_STATIONS.barMain, 17)], backlog: 0 });
    await sync('POST', '/v1/sync/push', { v: 1, hubId: 'hub-north-field', orders: sales('term-north-1', DEMO_STATIONS.barNorth, 12), backlog: 37 });
    const start = await pull(0);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.owner.email, DEMO_PASSWORD);
    await ui.enterCode(totpCode(DEMO_OWNER_TOTP_SECRET));
    await page.getByRole('navigation', { name: 'Console' }).waitFor();

    await ui.goTo('Set-up');
    await page.getByRole('tabpanel', { name: 'Event' }).waitFor();
    assert.equal(await page.getByLabel('Event name').inputValue(), 'Riverside Festival');
    assert.equal(await page.getByRole('textbox', { name: 'Per band, offline' }).inputValue(), '50.00');
    await page.getByText('Hub up to date').waitFor();
    await shot(ui, page, 'setup-event');

    // Products: Pils from €5.50 to €6.00.
    await page.getByRole('tab', { name: /Products/ }).click();
    const products = page.getByRole('table', { name: 'Products' });
    await products.waitFor();
    await page.getByRole('button', { name: 'Edit Pils 0.5 l' }).click();
    const price = page.getByRole('dialog').getByRole('textbox', { name: 'Price' });
    assert.equal(await price.inputValue(), '5.50');
    await price.fill('6.00');
    await page.getByRole('dialog').getByRole('button', { name: 'Save product' }).click();
    await page.getByText('Pils 0.5 l saved.').waitFor();
    await products.getByRole('row', { name: /Pils 0\.5 l/ }).getByText('€6.00').waitFor();
    await page.getByText('1 change not at the hub yet').waitFor();
    await shot(ui, page, 'setup-products');

    const afterPrice = await pull(start.cursor);
    assert.equal(afterPrice.changes.length, 1);
    assert.deepEqual(afterPrice.changes[0]!.entity, { kind: 'product', data: { id: 'beer-pils', eventId: DEMO_EVENT_ID, name: 'Pils 0.5 l', category: 'Beer', price: 600, active: true } });

    // Stations: Burger onto the North bar's menu, placed first.
    await page.getByRole('tab', { name: /Stations/ }).click();
    await page.getByRole('button', { name: /North bar/ }).click();
    await page.getByRole('heading', { name: 'North bar' }).waitFor();
    const menu = page.getByRole('list', { name: 'Menu' });
    const before = await menu.getByRole('listitem').count();
    await page.getByRole('button', { name: 'Add Burger' }).click();
    for (let i = 0; i < before; i++) await page.getByRole('button', { name: 'Move Burger up' }).click();
    assert.match((await menu.getByRole('listitem').first().textContent()) ?? '', /Burger/);
    await page.getByRole('button', { name: 'Save station' }).click();
    await page.getByText('North bar saved.').waitFor();
    assert.equal(await menu.getByRole('listitem').count(), before + 1);
    await shot(ui, page, 'setup-stations');

    const afterMenu = await pull(afterPrice.cursor);
    assert.equal(afterMenu.changes.length, 1);
    const station = afterMenu.changes[0]!.entity;
    assert.equal(station.kind, 'station');
    assert.equal(station.kind === 'station' && station.data.productIds[0], 'food-burger');
    assert.equal(station.kind === 'station' && station.data.productIds.length, before + 1);

    // Taxes and promotions through their dialogs.
    await page.getByRole('tab', { name: 'Taxes & promotions' }).click();
    await page.getByRole('button', { name: 'Set a tax' }).click();
    await page.getByRole('dialog').getByRole('combobox', { name: 'Category' }).fill('Beer');
    await page.getByRole('dialog').getByRole('textbox', { name: 'Rate (%)' }).fill('21');
    await page.getByRole('dialog').getByRole('button', { name: 'Set tax' }).click();
    await page.getByRole('table', { name: 'Taxes' }).getByText('21 %').waitFor();
    await page.getByRole('button', { name: 'Set a tax' }).click();
    await page.getByRole('dialog').getByRole('combobox', { name: 'Category' }).fill('Food');
    await page.getByRole('dialog').getByRole('textbox', { name: 'Rate (%)' }).fill('9');
    await page.getByRole('dialog').getByRole('button', { name: 'Set tax' }).click();
    await page.getByRole('table', { name: 'Taxes' }).getByText('9 %').waitFor();
    await page.getByRole('button', { name: 'Add promotion' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Name' }).fill('Happy hour');
    await page.getByRole('dialog').getByRole('textbox', { name: 'Discount (%)' }).fill('20');
    await page.getByRole('dialog').getByRole('button', { name: 'Add promotion' }).click();
    await page.getByRole('table', { name: 'Promotions' }).getByText('20 % off Beer').waitFor();
    await page.getByRole('button', { name: 'Add promotion' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Name' }).fill('Welcome drink');
    await page.getByRole('dialog').getByRole('combobox', { name: 'Kind' }).selectOption('first_drink_free');
    await page.getByRole('dialog').getByRole('combobox', { name: 'Category (optional)' }).selectOption('Soft drinks');
    await page.getByRole('dialog').getByRole('checkbox', { name: /Only at certain times/ }).uncheck();
    await page.getByRole('dialog').getByRole('button', { name: 'Add promotion' }).click();
    await page.getByRole('table', { name: 'Promotions' }).getByText('First drink free per tab (Soft drinks)').waitFor();
    await shot(ui, page, 'setup-pricing');

    // SMS wording with a live preview.
    await page.getByRole('tab', { name: 'SMS wording' }).click();
    const wording = page.getByRole('textbox', { name: 'Wording' });
    await wording.fill('Hi {first_name}! {amount} went on your {event} tab. Tip or check it here: {link}');
    await page.getByTestId('sms-preview').filter({ hasText: 'Hi Emma! €11.00 went on your Riverside Festival tab.' }).waitFor();
    await page.getByRole('button', { name: 'Save wording' }).click();
    await page.getByText('Wording saved.').waitFor();
    await shot(ui, page, 'setup-sms');

    // Devices: both hubs, their backlog, the three terminals.
    await ui.goTo('Devices');
    const terminals = page.getByRole('table', { name: 'Terminals' });
    await terminals.getByText('term-north-1').waitFor();
    assert.equal(await terminals.getByRole('row').count(), 4);
    await page.getByRole('table', { name: 'Hubs' }).getByText('37 waiting').waitFor();
    assert.equal(await page.getByTestId('key-state').textContent(), 'Active');
    await shot(ui, page, 'devices');

    // Rotating the venue key: the new key is shown once; the old one is refused at once, the new one works.
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    const newKey = (await page.getByTestId('venue-key').textContent()) ?? '';
    assert.match(newKey, /^vk_/);
    const status = async (key: string) => (await fetch(`${cloud.url}/v1/sync/pull?cursor=0&limit=1`, { headers: { authorization: `Bearer ${key}` } })).status;
    assert.deepEqual([await status(VENUE_KEY), await status(newKey)], [401, 200]);
    await page.getByRole('button', { name: 'Done' }).click();

    // Every change above is in the audit log, in words.
    await ui.goTo('Audit log');
    const log = page.getByRole('table', { name: 'Audit log' });
    for (const label of ['Changed a product', 'Changed a station', 'Set a tax', 'Added a promotion', 'Changed the SMS receipt wording', 'Rotated the venue key']) {
      await log.getByText(label).first().waitFor();
    }
    await shot(ui, page, 'setup-audit');

    // A new event from Set-up: it becomes the picked event, with nothing set up yet.
    await ui.goTo('Set-up');
    await page.getByRole('button', { name: 'New event' }).click();
    await page.getByRole('dialog').getByLabel('Event name').fill('Winter Lights');
    await page.getByRole('dialog').getByRole('button', { name: 'Create event' }).click();
    await page.getByRole('button', { name: 'Pick an event' }).filter({ hasText: 'Winter Lights' }).waitFor();
    await page.getByRole('tab', { name: /Products/ }).click();
    await page.getByText('No products yet').waitFor();
    await context.close();
  });

  test('a viewer reads the set-up and changes nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const ui = new ConsolePage(page, cloud.url);
    await ui.open();
    await ui.signIn(DEMO_USERS.viewer.email, DEMO_PASSWORD);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await page.getByRole('button', { name: 'Pick an event' }).click();
    await page.getByRole('menuitemradio', { name: /^Riverside Festival/ }).click();
    await ui.goTo('Set-up');
    await page.getByText('You can look around; a manager or owner makes changes.').waitFor();
    assert.equal(await page.getByLabel('Event name').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save event' }).count(), 0);
    await page.getByRole('tab', { name: /Products/ }).click();
    await page.getByRole('table', { name: 'Products' }).getByRole('row', { name: /Pils 0\.5 l/ }).getByText('€6.00').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add product' }).count(), 0);
    await ui.goTo('Devices');
    await page.getByRole('table', { name: 'Terminals' }).getByText('term-main-1').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Rotate key' }).count(), 0);
    await context.close();
  });
});
