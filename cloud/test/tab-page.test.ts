import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/raw-sql.ts';
import { DEMO_EVENT_ID, demoAttendeeId, demoBandUid } from '../src/seed/demo-constants.ts';
import { tabLinks } from '../src/services/tab-links.ts';
import type { RunningCloud } from '../src/start.ts';
import { tipFromForm } from '../src/web/tab-page-tip.ts';
import { api, startTestCloud, VENUE_KEY } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';
import { push, sale, voidOf } from './helpers/facts.ts';
import { tabWhere } from './helpers/jobs.ts';

const skip = await databaseSkipReason();
const LINK_SECRET = 'test-link-secret-0123456789';
const links = tabLinks({ secret: LINK_SECRET, publicUrl: () => 'https://tab.example.test' });
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

test('the tip form: none, 10/15/20 %, custom amounts with a dot or a comma; anything else is refused', () => {
  assert.deepEqual(tipFromForm({ choice: 'none', amount: '9' }, 'EUR'), { type: 'amount', currency: 'EUR', amount: 0 });
  assert.deepEqual(tipFromForm({ choice: '15' }, 'EUR'), { type: 'percent', basisPoints: 1500 });
  assert.deepEqual(tipFromForm({ choice: 'custom', amount: '2,5' }, 'EUR'), { type: 'amount', currency: 'EUR', amount: 250 });
  assert.deepEqual(tipFromForm({ amount: ' 3.05 ' }, 'EUR'), { type: 'amount', currency: 'EUR', amount: 305 });
  assert.deepEqual(tipFromForm({ choice: 'custom', amount: '500' }, 'JPY'), { type: 'amount', currency: 'JPY', amount: 500 });
  for (const form of [{ choice: 'custom', amount: '-1' }, { choice: 'custom', amount: '1.234' }, { choice: '12' }, { choice: 'custom', amount: '1e3' }, {}]) {
    assert.throws(() => tipFromForm(form, 'EUR'), (e: { status?: number }) => e.status === 400, JSON.stringify(form));
  }
  assert.throws(() => tipFromForm({ choice: 'custom', amount: '5.5' }, 'JPY'), (e: { status?: number }) => e.status === 400);
});

describe('the attendee tab page behind the signed link', { skip }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  const band = demoBandUid(1);
  const token = links.sign(DEMO_EVENT_ID, band);
  const tipFacts = async () =>
    (await queryRows<{ n: number }>(cloud.database.db, sql`select count(*)::int as n from tab_facts where kind = 'tip' and band_uid = ${band}`))[0]!.n;
  const page = (path: string, init: RequestInit = {}) => fetch(cloud.url + path, { redirect: 'manual', ...init, headers: { ...BROWSER, ...(init.headers ?? {}) } });
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  before(async () => {
    target = await createTestDatabase();
    cloud = await startTestCloud(target, { linkSecret: LINK_SECRET });
    const hub = api(cloud.url, VENUE_KEY);
    const beer = sale({ band: 1, lines: [{ productId: 'beer-pils', name: 'Pils 0.5 l', quantity: 2, unitPrice: 550 }] });
    const mojito = sale({ band: 1, lines: [{ productId: 'cocktail-mojito', name: 'Mojito', quantity: 1, unitPrice: 1100 }] });
    const fries = sale({ band: 1, lines: [{ productId: 'food-fries', name: 'Fries', quantity: 1, unitPrice: 500 }] });
    const recomputed = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.total === 2200 && t.voided === 1);
    assert.equal((await hub.post('/v1/sync/push', push([beer, mojito, fries, voidOf(fries)]))).status, 200);
    await recomputed;
  });
  after(async () => {
    await cloud?.close();
    await target?.drop();
  });

  test('a browser gets the page: event, orders with the void struck through, summary, tip choices priced', async () => {
    const res = await page(`/t/${token}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
    const body = await res.text();
    assert.match(body, /<h1>Riverside Festival<\/h1>/);
    assert.match(body, /2 × Pils 0\.5 l/);
    assert.match(body, /class="order voided"[\s\S]*1 × Fries/);
    assert.match(body, /data-testid="total">€22\.00</);
    // 15 % of €22.00 offered as €3.30.
    assert.match(body, /15 %<small>€3\.30<\/small>/);
    assert.match(body, /value="none" checked/);
  });

  test('JSON stays the answer for clients that do not ask for HTML; bad tokens get 404 either way', async () => {
    const json = await api(cloud.url).get(`/t/${token}`);
    assert.equal(json.status, 200);
    assert.equal(json.body.tab.total, 2200);
    const bad = `${token.slice(0, -2)}AA`;
    const htmlRes = await page(`/t/${bad}`);
    assert.equal(htmlRes.status, 404);
    assert.match(await htmlRes.text(), /This link does not work/);
    assert.equal((await api(cloud.url).get(`/t/${bad}`)).body.error.code, 'not_found');
    const tip = await fetch(`${cloud.url}/t/${bad}/tip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":{"type":"percent","basisPoints":1500}}' });
    assert.equal(tip.status, 404);
  });

  test('a 15 % tip through JSON: the answer, the page and the recomputed tab all include it', async () => {
    const before = await tipFacts();
    const recomputed = tabWhere(cloud, DEMO_EVENT_ID, band, (t) => t.tips === 330);
    const res = await fetch(`${cloud.url}/t/${token}/tip`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: { type: 'percent', basisPoints: 1500 } }),
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { tip: { recordedBy: unknown; value: unknown }; tab: { tip: number; total: number } };
    assert.equal(body.tip.recordedBy, null);
    assert.deepEqual(body.tab, { currency: 'EUR', ordersTotal: 2200, tip: 330, total: 2530 });
    assert.equal(await tipFacts(), before + 1);
    const tab = await recomputed;
    assert.equal(tab.total, 2530);
    const html = await (await page(`/t/${token}`)).text();
    assert.match(html, /value="15" checked/);
    assert.match(html, /data-testid="tip">€3\.30</);
    assert.match(html, /data-testid="total">€25\.30</);
  });

  test('the form: a custom amount redirects back with a notice; a bad one re-renders with the reason, nothing written', async () => {
    const saved = await page(`/t/${token}/tip`, form({ choice: 'custom', amount: '2,50' }));
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), `/t/${token}?tip=saved`);
    const after = await (await page(`/t/${token}?tip=saved`)).text();
    assert.match(after, /Your tip is updated/);
    assert.match(after, /data-testid="total">€24\.50</);
    assert.match(after, /value="custom" checked/);

    const before = await tipFacts();
    const bad = await page(`/t/${token}/tip`, form({ choice: 'custom', amount: 'lots' }));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /role="alert">Enter the tip as an amount/);
    const tooMuch = await page(`/t/${token}/tip`, form({ choice: 'custom', amount: '22.01' }));
    assert.equal(tooMuch.status, 400);
    assert.match(await tooMuch.text(), /more than the €22\.00 of orders/);
    const badJson = await fetch(`${cloud.url}/t/${token}/tip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":{"type":"percent","basisPoints":10001}}' });
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'invalid_body');
    assert.equal(await tipFacts(), before);
  });

  test('the receipt is a printable page with the counted lines and a nonce-only script', async () => {
    const res = await page(`/t/${token}/receipt`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    const body = await res.text();
    assert.ok(body.includes(`<script nonce="${nonce}">`));
    assert.match(body, /<td>Pils 0\.5 l<\/td><td class="num">2<\/td>/);
    assert.doesNotMatch(body, /<td>Fries<\/td>/);
    assert.match(body, /1 voided order is not charged/);
  });

  test('once the tab is captured the tip is refused and the page says so', async () => {
    await cloud.database.db.execute(
      sql`insert into tab_payments (event_id, band_uid, attendee_id, status, captured_amount) values (${DEMO_EVENT_ID}, ${band}, ${demoAttendeeId(1)}, 'captured', 2450)
          on conflict (event_id, band_uid) do update set status = 'captured', captured_amount = 2450`,
    );
    const before = await tipFacts();
    const res = await fetch(`${cloud.url}/t/${token}/tip`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: { type: 'percent', basisPoints: 2000 } }),
    });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'conflict');
    const viaForm = await page(`/t/${token}/tip`, form({ choice: '20' }));
    assert.equal(viaForm.status, 409);
    assert.equal(await tipFacts(), before);
    const html = await (await page(`/t/${token}`)).text();
    assert.match(html, /already been charged, so the tip can no longer be changed/);
    assert.match(html, /Total charged/);
    assert.doesNotMatch(html, /name="choice"/);
  });
});
