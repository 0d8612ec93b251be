import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprint } from '../src/canonical.ts';
import { newId } from '../src/ids.ts';
import { parseFacts } from '../src/protocol/batch.ts';
import type { Sale } from '../src/domain.ts';

function sale(over: Partial<Sale> = {}): Sale {
  return {
    kind: 'sale',
    id: newId(),
    terminalId: 't1',
    seq: 1,
    eventId: 'e1',
    stationId: 's1',
    staffId: null,
    bandUid: '04A22B1A',
    createdAt: '2026-11-21T20:00:00.000Z',
    offline: false,
    currency: 'EUR',
    lines: [{ productId: 'beer', name: 'Beer', quantity: 2, unitPrice: 650 }],
    total: 1300,
    ...over,
  };
}

test('fingerprint ignores key order and sees any change of content', () => {
  const a = sale();
  const reordered = Object.fromEntries(Object.entries(a).reverse());
  assert.equal(fingerprint(a), fingerprint(reordered));
  assert.notEqual(fingerprint(a), fingerprint({ ...a, total: 1301 }));
});

test('parseFacts keeps the valid items of a batch and explains each invalid one', () => {
  const good = sale();
  const wrongTotal = sale({ total: 999 });
  const { valid, invalid } = parseFacts([good, wrongTotal, null, { id: 'x'.repeat(500) }]);
  assert.deepEqual(
    valid.map((v) => v.fact.id),
    [good.id],
  );
  assert.deepEqual(
    invalid.map((r) => r.id),
    [wrongTotal.id, '#2', '#3'],
  );
  assert.ok(invalid.every((r) => r.status === 'invalid' && r.error?.code === 'invalid_item'));
  assert.match(invalid[0]!.error!.message, /total must equal/);
});

test('parseFacts strips unknown fields so the fingerprint covers only the contract', () => {
  const s = sale();
  const { valid } = parseFacts([{ ...s, extra: 'ignored' }]);
  assert.equal(valid[0]!.fingerprint, fingerprint(s));
});

test('a non-UUIDv7 id is invalid', () => {
  const { invalid } = parseFacts([sale({ id: '00000000-0000-4000-8000-000000000000' })]);
  assert.equal(invalid.length, 1);
});

test('an attendee holds card status and last four digits, and refuses a card number', async () => {
  const { Attendee } = await import('../src/domain.ts');
  const ana = {
    id: 'att-1', eventId: 'e1', firstName: 'Ana', lastName: null, email: 'ana@example.com', phone: '+31612345678', smsConsent: true,
    card: { status: 'ready', stripeCustomerId: 'cus_123', stripePaymentMethodId: 'pm_123', last4: '4242' },
  };
  assert.equal(Attendee.safeParse(ana).success, true);
  assert.equal(Attendee.safeParse({ ...ana, card: { ...ana.card, last4: '4242424242424242' } }).success, false);
  assert.equal(Attendee.safeParse({ ...ana, phone: '0612345678' }).success, false);
});

test('attendees:search: the request is bounded and the answer carries DeskAttendees with their bands', async () => {
  const { AttendeesSearch, AttendeesSearchAck, MAX_SEARCH_RESULTS } = await import('../src/protocol/terminal-hub.ts');
  assert.deepEqual(AttendeesSearch.parse({ v: 1, query: '  Zoë ' }), { v: 1, query: 'Zoë', limit: 20 });
  for (const bad of [{ v: 1, query: '   ' }, { v: 1, query: 'x'.repeat(201) }, { v: 1, query: 'a', limit: MAX_SEARCH_RESULTS + 1 }, { v: 1, query: 'a\u0000' }, { v: 2, query: 'a' }]) {
    assert.equal(AttendeesSearch.safeParse(bad).success, false, JSON.stringify(bad));
  }
  const result = {
    id: 'attendee-7',
    eventId: 'e1',
    firstName: 'Zoë',
    lastName: null,
    email: null,
    phone: '+31612345678',
    smsConsent: true,
    cardStatus: 'ready',
    cardLast4: '4242',
    confirmationCode: 'K7Q2M9XA',
    cardUrl: null,
    bands: [{ uid: '04A22B1A', status: 'blocked' }],
  };
  assert.ok(AttendeesSearchAck.safeParse({ ok: true, v: 1, results: [result] }).success);
  assert.equal(AttendeesSearchAck.safeParse({ ok: true, v: 1, results: [{ ...result, bands: [{ uid: 'nope', status: 'active' }] }] }).success, false);
  assert.equal(AttendeesSearchAck.safeParse({ ok: true, v: 1, results: Array(MAX_SEARCH_RESULTS + 1).fill(result) }).success, false);
});
