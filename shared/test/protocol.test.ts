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
