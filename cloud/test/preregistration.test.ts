import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import pino from 'pino';
import { attendees, configChanges, smsMessages } from '../src/db/schema.ts';
import { LogPayments } from '../src/providers/log-payments.ts';
import { LogSms } from '../src/providers/log-sms.ts';
import { DEMO_EVENT_ID } from '../src/seed/demo-constants.ts';
import type { CardChange } from '../src/services/card-setup.ts';
import type { RunningCloud } from '../src/start.ts';
import { deriveLinkSecret } from '../src/services/tab-links.ts';
import { confirmationLinks } from '../src/services/registration-signup-links.ts';
import { ADMIN_TOKEN, startTestCloud } from './helpers/cloud.ts';
import { createTestDatabase, databaseSkipReason, type TestDatabase } from './helpers/database.ts';

/*
 * The attendee's pages end to end over HTTP with the demo's log payment provider: register → card (test cards) →
 * confirmation with its QR code, and every refusal on the way (bad fields, stale form, duplicate e-mail, bad links).
 */

const skip = await databaseSkipReason();
const quiet = pino({ level: 'silent' });

/** One character of the MAC changed (not the last: its low bits are base64 padding). */
const tamper = (token: string) => token.slice(0, -5) + (token.at(-5) === 'A' ? 'B' : 'A') + token.slice(-4);
const tokenOf = (page: string) => /name="formToken" value="([^"]+)"/.exec(page)?.[1] ?? assert.fail(`no form token in ${page.slice(0, 200)}`);

describe('pre-registration, card and confirmation pages (log payments)', { skip, timeout: 120_000 }, () => {
  let target: TestDatabase;
  let cloud: RunningCloud;
  const changes: CardChange[] = [];

  const get = (path: string) => fetch(cloud.url + path, { redirect: 'manual' });
  const post = (path: string, fields: Record<string, string>) =>
    fetch(cloud.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const attendeeCount = async () => (await cloud.database.db.select({ n: sql<number>`count(*)::int` }).from(attendees))[0]!.n;
  const attendeeByEmail = async (email: string) =>
    (await cloud.database.db.select().from(attendees).where(and(eq(attendees.eventId, DEMO_EVENT_ID), sql`lower(${attendees.email}) = ${email.toLowerCase()}`)))[0];
  const register = async (fields: Record<string, string>) => {
    const form = await (await get(`/e/${DEMO_EVENT_ID}/register`)).text();
    return post(`/e/${DEMO_EVENT_ID}/register`, { formToken: tokenOf(form), ...fields });
  };

  before(async () => {
    target = await createTestDatabase();
    cloud = await startTestCloud(target, { providers: { payments: new LogPayments(quiet), sms: new LogSms(quiet) } });
    cloud.events.on('cards:changed', (c) => changes.push(c));
  });
  after(async () => {
    await cloud?.close();
    await target?.drop();
  });

  test('the form is a mobile page with a signed token and no external assets', async () => {
    const res = await get(`/e/${DEMO_EVENT_ID}/register`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const page = await res.text();
    assert.match(page, /<meta name="viewport" content="width=device-width/);
    assert.match(page, /Riverside Festival/);
    for (const name of ['firstName', 'lastName', 'email', 'phone', 'smsConsent']) assert.match(page, new RegExp(`name="${name}"`));
    assert.doesNotMatch(page, /https?:\/\/(?!www\.w3\.org)/, 'no external URL in the page');
    assert.equal((await get('/e/no-such-event/register')).status, 404);
  });

  test('bad fields re-render the form with a sentence per field and write nothing', async () => {
    const before = await attendeeCount();
    const res = await register({ firstName: '  ', lastName: 'Lopez', email: 'not-an-email', phone: '', smsConsent: 'on' });
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /Enter your first name\./);
    assert.match(page, /Enter a valid e-mail address/);
    assert.match(page, /Enter your mobile number to get your confirmation by SMS\./);
    assert.match(page, /value="Lopez"/, 'what was typed is kept');
    assert.match(page, /aria-invalid="true"/);
    assert.equal(await attendeeCount(), before);
  });

  test('a form without a genuine token is refused (CSRF), nothing written', async () => {
    const before = await attendeeCount();
    for (const formToken of ['', 'forged.token.value', tamper(tokenOf(await (await get(`/e/${DEMO_EVENT_ID}/register`)).text()))]) {
      const res = await post(`/e/${DEMO_EVENT_ID}/register`, { formToken, firstName: 'Eve', lastName: 'X', email: 'eve@example.com' });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /did not come from this page/);
    }
    assert.equal(await attendeeCount(), before);
  });

  let cardPath = '';
  let confirmationPath = '';

  test('a valid registration creates the attendee, publishes it, queues the SMS and goes to the card page', async () => {
    const res = await register({ firstName: 'Ana', lastName: 'Lopez', email: 'Ana.Lopez@example.com', phone: '+31 6 1234 5678', smsConsent: 'on' });
    assert.equal(res.status, 303);
    cardPath = res.headers.get('location') ?? '';
    assert.match(cardPath, /^\/card\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const a = await attendeeByEmail('ana.lopez@example.com');
    assert.ok(a);
    assert.deepEqual([a.firstName, a.lastName, a.phone, a.smsConsent, a.cardStatus], ['Ana', 'Lopez', '+31612345678', true, 'none']);
    assert.match(a.confirmationCode ?? '', /^[A-Z0-9]{8}$/);
    const entities = await cloud.database.db.select().from(configChanges).where(and(eq(configChanges.kind, 'attendee'), eq(configChanges.entityKey, a.id)));
    assert.equal(entities.length, 1, 'the attendee flows down to the hub');
    assert.equal((entities[0]!.data as { confirmationCode: string }).confirmationCode, a.confirmationCode);
    const [sms] = await cloud.database.db.select().from(smsMessages).where(eq(smsMessages.attendeeId, a.id));
    assert.ok(sms, 'a confirmation SMS is queued');
    assert.equal(sms.kind, 'registration');
    assert.equal(sms.toPhone, '+31612345678');
    const link = /(https?:\/\/\S+\/e\/[^/\s]+\/confirmation\/\S+)/.exec(sms.body)?.[1];
    assert.ok(link, sms.body);
    confirmationPath = new URL(link).pathname;
  });

  test('the same e-mail in any case says it is already registered and makes no duplicate', async () => {
    const before = await attendeeCount();
    const res = await register({ firstName: 'Ana', lastName: 'L', email: 'ANA.LOPEZ@example.com' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /already registered/);
    assert.equal(await attendeeCount(), before);
  });

  test('the card page makes one Customer and one SetupIntent however often it is opened', async () => {
    const first = await get(cardPath);
    assert.equal(first.status, 200);
    const page = await first.text();
    assert.match(page, /Test mode: no real card can be entered here/);
    assert.match(page, /value="pm_card_visa"/);
    assert.doesNotMatch(page, /js\.stripe\.com/, 'Stripe.js is loaded only with a real publishable key');
    const a1 = (await attendeeByEmail('ana.lopez@example.com'))!;
    assert.match(a1.stripeCustomerId ?? '', /^cus_/);
    assert.match(a1.stripeSetupIntentId ?? '', /^seti_/);
    await Promise.all([get(cardPath), get(cardPath)]);
    const a2 = (await attendeeByEmail('ana.lopez@example.com'))!;
    assert.deepEqual([a2.stripeCustomerId, a2.stripeSetupIntentId, a2.cardSetupAttempt], [a1.stripeCustomerId, a1.stripeSetupIntentId, 1]);
  });

  test('a declined test card marks the card failed and the page offers a retry', async () => {
    const token = tokenOf(await (await get(cardPath)).text());
    const res = await post(`${cardPath}/test-card`, { formToken: token, paymentMethod: 'pm_card_chargeDeclined' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), cardPath);
    const a = (await attendeeByEmail('ana.lopez@example.com'))!;
    assert.equal(a.cardStatus, 'failed');
    assert.match(a.cardError ?? '', /declined/);
    const page = await (await get(cardPath)).text();
    assert.match(page, /Your card was not saved/);
    assert.match(page, /Save test card/);
  });

  test('a good test card makes the card ready (last four, Stripe ids), publishes it and shows the confirmation', async () => {
    const published = async (id: string) =>
      (await cloud.database.db.select().from(configChanges).where(and(eq(configChanges.kind, 'attendee'), eq(configChanges.entityKey, id)))).length;
    const a0 = (await attendeeByEmail('ana.lopez@example.com'))!;
    const before = await published(a0.id);
    const token = tokenOf(await (await get(cardPath)).text());
    const res = await post(`${cardPath}/test-card`, { formToken: token, paymentMethod: 'pm_card_visa' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), confirmationPath);
    const a = (await attendeeByEmail('ana.lopez@example.com'))!;
    assert.deepEqual([a.cardStatus, a.cardLast4, a.cardError], ['ready', '4242', null]);
    assert.match(a.stripePaymentMethodId ?? '', /^pm_/);
    assert.equal(await published(a.id), before + 1, 'the desk learns the card is ready');
    assert.deepEqual(
      changes.filter((c) => c.attendeeId === a.id).map((c) => c.status),
      ['failed', 'ready'],
    );
    // The same submission again (a double tap) and a new one change nothing more.
    const again = await post(`${cardPath}/test-card`, { formToken: token, paymentMethod: 'pm_card_visa' });
    assert.equal(again.status, 303);
    assert.equal(await published(a.id), before + 1);
    const saved = await (await get(cardPath)).text();
    assert.match(saved, /Your card is saved/);
    assert.match(saved, /ending 4242/);
  });

  test('the confirmation shows the name, the event, the card and a QR code of the confirmation code', async () => {
    const a = (await attendeeByEmail('ana.lopez@example.com'))!;
    const res = await get(confirmationPath);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /Ana Lopez/);
    assert.match(page, /Riverside Festival/);
    assert.match(page, /Ready · ending 4242/);
    assert.match(page, /href="\/card\/[^"]+\?replace=1">Use a different card/);
    assert.match(page, new RegExp(`data-code="${a.confirmationCode}"`));
    const svg = Buffer.from(/src="data:image\/svg\+xml;base64,([^"]+)"/.exec(page)?.[1] ?? '', 'base64').toString('utf8');
    assert.match(svg, /^<svg[^>]*viewBox="0 0 (\d+) \1"/, 'a square SVG QR code');
    assert.match(page, /texted this page to \+31 •+678/);
  });

  test('a different card: the card on file stays ready through a decline and is replaced by a saved one', async () => {
    const a0 = (await attendeeByEmail('ana.lopez@example.com'))!;
    const page = await (await get(`${cardPath}?replace=1`)).text();
    assert.match(page, /Use a different card/);
    assert.match(page, /ending 4242 stays on file/);
    const declined = await post(`${cardPath}/test-card`, { formToken: tokenOf(page), replace: '1', paymentMethod: 'pm_card_chargeDeclined' });
    assert.equal(declined.status, 200);
    assert.match(await declined.text(), /That card was declined: Your card was declined\. Your card on file is unchanged\./);
    const kept = (await attendeeByEmail('ana.lopez@example.com'))!;
    assert.deepEqual([kept.cardStatus, kept.cardLast4, kept.stripePaymentMethodId], ['ready', '4242', a0.stripePaymentMethodId]);
    assert.equal(kept.cardSetupAttempt, 2, 'a new SetupIntent for the new card');

    const again = await (await get(`${cardPath}?replace=1`)).text();
    const saved = await post(`${cardPath}/test-card`, { formToken: tokenOf(again), replace: '1', paymentMethod: 'pm_card_mastercard' });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), confirmationPath);
    const a = (await attendeeByEmail('ana.lopez@example.com'))!;
    assert.deepEqual([a.cardStatus, a.cardLast4, a.cardSetupAttempt], ['ready', '4444', 2]);
    assert.notEqual(a.stripePaymentMethodId, a0.stripePaymentMethodId);
    assert.equal(a.stripeCustomerId, a0.stripeCustomerId, 'the same Stripe customer');
    // Without ?replace the page just says the card is saved.
    assert.match(await (await get(cardPath)).text(), /ending 4444/);
  });

  test('bad or tampered links answer the same 404 page', async () => {
    const tampered = tamper(cardPath);
    for (const path of [tampered, '/card/nonsense', `/e/${DEMO_EVENT_ID}/confirmation/x.y`, confirmationPath.replace(DEMO_EVENT_ID, 'other-event')]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), /This link is not valid/);
    }
    // A card token is not a confirmation token.
    const cardToken = cardPath.split('/').pop()!;
    assert.equal((await get(`/e/${DEMO_EVENT_ID}/confirmation/${cardToken}`)).status, 404);
  });

  test('hostile input (NUL, lone surrogates, huge, repeated or odd fields, other content types) gets a 4xx page, never a 500', async () => {
    const token = tokenOf(await (await get(`/e/${DEMO_EVENT_ID}/register`)).text());
    const nasty = fc.oneof(
      fc.string({ maxLength: 80, unit: 'grapheme' }),
      fc.string({ maxLength: 20, unit: 'binary' }),
      fc.constantFrom('\u0000', 'a\ud800b', 'x'.repeat(5000), '<script>alert(1)</script>', '+31 6', 'a@b', '%00', ' '),
    );
    await fc.assert(
      fc.asyncProperty(fc.record({ firstName: nasty, lastName: nasty, email: nasty, phone: nasty, smsConsent: nasty }), async (fields) => {
        const before = await attendeeCount();
        const res = await post(`/e/${DEMO_EVENT_ID}/register`, { formToken: token, ...fields });
        const page = await res.text();
        assert.ok([303, 400, 409].includes(res.status), `${res.status} for ${JSON.stringify(fields)}`);
        assert.doesNotMatch(page, /<script>alert/, 'typed text is escaped');
        assert.equal(await attendeeCount(), before + (res.status === 303 ? 1 : 0));
      }),
      { numRuns: Number(process.env.TAPLINE_FUZZ_RUNS ?? 40) },
    );
    const odd = [
      fetch(`${cloud.url}/e/${DEMO_EVENT_ID}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"firstName":"A"}' }),
      fetch(`${cloud.url}/e/${DEMO_EVENT_ID}/register`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'firstName=a&firstName=b&email=%E0%A4%A' }),
      fetch(`${cloud.url}/e/${DEMO_EVENT_ID}/register`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x='.padEnd(40_000, 'y') }),
      fetch(`${cloud.url}${cardPath}/test-card`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'paymentMethod=pm_card_visa' }),
      fetch(`${cloud.url}/v1/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    ];
    for (const res of await Promise.all(odd)) assert.ok(res.status >= 400 && res.status < 500, `${res.url}: ${res.status}`);
  });

  test('a registration without SMS consent queues no SMS', async () => {
    const res = await register({ firstName: 'Bo', lastName: 'Berg', email: 'bo@example.com', phone: '0031 6 8765 4321' });
    assert.equal(res.status, 303);
    const a = (await attendeeByEmail('bo@example.com'))!;
    assert.equal(a.phone, '+31687654321');
    assert.equal((await cloud.database.db.select().from(smsMessages).where(eq(smsMessages.attendeeId, a.id))).length, 0);
    // Without a card, the confirmation says what the band may spend (the event's no-card allowance) and offers the card page.
    const links = confirmationLinks({ secret: deriveLinkSecret(ADMIN_TOKEN), publicUrl: () => cloud.url });
    const page = await (await get(new URL(links.url(DEMO_EVENT_ID, a.id)).pathname)).text();
    assert.match(page, /Not added yet/);
    assert.match(page, /works only up to €25\.00/);
    assert.match(page, /href="\/card\/[^"]+">Add a card</);
    assert.doesNotMatch(page, /texted this page/);
  });
});
