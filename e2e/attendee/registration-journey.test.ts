import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { browserMissing, launchBrowser } from '../harness/browser.ts';
import { contractsAvailable, type LocalStripe, startLocalStripe } from '../harness/local-stripe/index.ts';
import { freePort } from '../harness/ports.ts';
import { ServiceProcess } from '../harness/service-process.ts';
import { entries } from '../harness/venue.ts';

/*
 * The attendee's journey in a real Chromium at phone size: register → add a card (a declined one first, then a good
 * one) → confirmation with the QR code of their confirmation code. The cloud runs as its own process with the stripe
 * SDK pointed at the local Stripe (test key, no publishable key: the test-card form), so every Stripe call of the
 * journey is checked against Stripe's OpenAPI.
 *
 * Screenshots (390×844 and 1280×800) go to a temp folder, or to docs/screenshots with
 * TAPLINE_SCREENSHOTS_DIR=docs/screenshots.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EVENT = 'demo-event';

function skipReason(): string | false {
  const browser = browserMissing();
  if (browser) return browser;
  const contracts = contractsAvailable('stripeSpec', 'stripeFixtures');
  if (contracts.ok) return false;
  if (process.env.CI === 'true') throw new Error(`${contracts.reason}: CI must run the attendee journey.`);
  console.error(`\n  SKIPPING the attendee journey: ${contracts.reason}.\n`);
  return contracts.reason;
}

const skip = skipReason();

describe('attendee journey: register → card → confirmation (Chromium, local Stripe)', { skip, timeout: 180_000 }, () => {
  let dir: string;
  let stripe: LocalStripe;
  let cloud: ServiceProcess;
  let cloudUrl: string;
  let browser: Browser;
  let phone: BrowserContext;
  let page: Page;
  let confirmationUrl = '';
  const shotsDir = process.env.TAPLINE_SCREENSHOTS_DIR ? path.resolve(root, process.env.TAPLINE_SCREENSHOTS_DIR) : '';

  const shoot = async (p: Page, name: string) => {
    const out = shotsDir || path.join(dir, 'shots');
    mkdirSync(out, { recursive: true });
    const size = p.viewportSize()!;
    await p.screenshot({ path: path.join(out, `attendee-${name}-${size.width}x${size.height}.png`), fullPage: true });
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-attendee-'));
    stripe = await startLocalStripe();
    const port = await freePort();
    cloud = new ServiceProcess({
      name: 'cloud',
      entry: entries.cloud,
      logFile: path.join(dir, 'cloud.log'),
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        TAPLINE_DATA_DIR: path.join(dir, 'pgdata'),
        TAPLINE_SEED_DEMO: '1',
        TAPLINE_DEMO_BANDS: '10',
        TAPLINE_VENUE_KEY: randomBytes(18).toString('base64url'),
        TAPLINE_ADMIN_TOKEN: randomBytes(18).toString('base64url'),
        TAPLINE_STRIPE_URL: stripe.url,
        TAPLINE_STRIPE_KEY: 'sk_test_tapline_attendee_journey',
        TAPLINE_PAYMENTS_SWEEP_SECONDS: '0',
      },
    });
    cloudUrl = (await cloud.start()).url!;
    browser = await launchBrowser();
    phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    page = await phone.newPage();
  });

  after(async () => {
    await browser?.close();
    await cloud?.stop();
    await stripe?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('register: the form refuses bad input with a sentence per field, then takes the attendee to the card step', async () => {
    await page.goto(`${cloudUrl}/e/${EVENT}/register`);
    await page.getByRole('heading', { name: 'Riverside Festival' }).waitFor();
    await shoot(page, 'register');
    await page.getByLabel('First name').fill('Ana');
    await page.getByLabel('E-mail').fill('ana@example');
    await page.getByText('Text me my confirmation and receipts').click();
    await page.getByRole('button', { name: 'Continue to add a card' }).click();
    await page.getByText('Enter your last name.').waitFor();
    assert.ok(await page.getByText('Enter a valid e-mail address').isVisible());
    assert.ok(await page.getByText('Enter your mobile number to get your confirmation by SMS.').isVisible());
    assert.equal(await page.getByLabel('First name').inputValue(), 'Ana', 'what was typed is kept');
    await shoot(page, 'register-errors');

    await page.getByLabel('Last name').fill('Lopez');
    await page.getByLabel('E-mail').fill('ana.lopez@example.com');
    await page.getByLabel('Mobile phone').fill('+31 6 1234 5678');
    await page.getByRole('button', { name: 'Continue to add a card' }).click();
    await page.getByRole('heading', { name: 'Add your card' }).waitFor();
    assert.match(page.url(), /\/card\/[^/]+$/);
    assert.ok(await page.getByText('Test mode: no real card can be entered here.').isVisible());
    await shoot(page, 'card');
    // The card page made the Customer and the off-session SetupIntent at Stripe (checked against the spec).
    assert.equal(stripe.requestsTo('POST /v1/customers').filter((r) => r.status === 200).length, 1);
    const [setup] = stripe.requestsTo('POST /v1/setup_intents');
    assert.equal(setup?.status, 200);
    assert.equal(setup.params.usage, 'off_session');
  });

  test('card: a declined card says why and offers a retry; a good card leads to the confirmation', async () => {
    await page.getByText('Visa ending 0002').click();
    await page.getByRole('button', { name: 'Save test card' }).click();
    await page.getByText('Your card was not saved.').waitFor();
    await shoot(page, 'card-declined');

    await page.getByText('Visa ending 4242').click();
    await page.getByRole('button', { name: 'Save test card' }).click();
    await page.getByRole('heading', { name: "You're registered" }).waitFor();
    const confirms = stripe.requestsTo('POST /v1/setup_intents/{intent}/confirm');
    assert.deepEqual(
      confirms.map((r) => [r.params.payment_method, r.status]),
      [
        ['pm_card_chargeDeclined', 402],
        ['pm_card_visa', 200],
      ],
    );
    const si = [...stripe.state.setupIntents.values()][0]!;
    assert.equal(si.status, 'succeeded');
  });

  test('confirmation: name, event, card ready and a QR code that encodes the confirmation code', async () => {
    assert.ok(await page.getByText('Ana Lopez · Riverside Festival').isVisible());
    assert.ok(await page.getByText('Ready · ending 4242').isVisible());
    const code = await page.locator('[data-code]').getAttribute('data-code');
    assert.match(code ?? '', /^[A-Z0-9]{8}$/);
    const qr = page.getByRole('img', { name: `QR code of your confirmation code ${code}` });
    const box = await qr.boundingBox();
    assert.ok(box && box.width >= 200 && box.width === box.height, `a square QR code big enough to scan (${JSON.stringify(box)})`);
    // The image is exactly the QR code of that text (same encoder, same options as the page).
    const src = (await qr.getAttribute('src')) ?? '';
    const svg = Buffer.from(src.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
    const expected = await QRCode.toString(code!, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#1d2330', light: '#ffffff' } });
    assert.equal(svg, expected);
    await shoot(page, 'confirmation');
    confirmationUrl = page.url();
  });

  test('card page after saving, and a confirmation without a card that offers to add one', async () => {
    const cardUrl = await page.locator('a', { hasText: 'Use a different card' }).getAttribute('href');
    await page.goto(`${cloudUrl}${cardUrl!.replace(/\?replace=1$/, '')}`);
    await page.getByRole('heading', { name: 'Your card is saved' }).waitFor();
    await shoot(page, 'card-saved');

    const other = await phone.newPage();
    await other.goto(`${cloudUrl}/e/${EVENT}/register`);
    await other.getByLabel('First name').fill('Bo');
    await other.getByLabel('Last name').fill('Berg');
    await other.getByLabel('E-mail').fill('bo.berg@example.com');
    await other.getByRole('button', { name: 'Continue to add a card' }).click();
    await other.getByRole('heading', { name: 'Add your card' }).waitFor();
    await other.getByRole('link', { name: 'Skip for now and see your confirmation' }).click();
    await other.getByRole('heading', { name: "You're registered" }).waitFor();
    assert.ok(await other.getByText('Not added yet').isVisible());
    await other.getByRole('link', { name: 'Add a card' }).waitFor();
    await shoot(other, 'confirmation-no-card');
    await other.close();
  });

  test('desktop: the same pages read well on a wide screen', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const wide = await desktop.newPage();
    await wide.goto(confirmationUrl);
    await wide.getByRole('heading', { name: "You're registered" }).waitFor();
    await shoot(wide, 'confirmation');
    await wide.goto(`${cloudUrl}/e/${EVENT}/register`);
    await wide.getByRole('heading', { name: 'Riverside Festival' }).waitFor();
    await shoot(wide, 'register');
    await desktop.close();
  });
});
