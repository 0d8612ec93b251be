import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry } from '../src/console/api-types.ts';
import { describeDetails } from '../src/console/audit-labels.ts';

const entry = (action: string, target: string, details: Record<string, unknown>): AuditEntry => ({
  id: 1,
  at: '2026-11-22T02:00:00.000Z',
  userId: 'u1',
  actorEmail: 'owner@demo.tapline.test',
  action,
  target,
  details,
});

test("the audit log's details: names, money in the row's currency, from → to, what changed, reasons; no ids", () => {
  const refund = entry('tabs.refunded', 'event:demo-event', {
    bandUid: '04000000000001',
    orderId: '01890000-0000-7000-8000-000000000000',
    refundId: '01890000-0000-7000-8000-000000000001',
    amount: 250,
    currency: 'EUR',
    text: '€2.50',
    reason: 'Warm beer',
  });
  assert.equal(describeDetails(refund), 'band 04000000000001 · €2.50 · “Warm beer”');
  assert.equal(describeDetails(entry('setup.product_added', 'event:e', { name: 'Pils', price: 550, currency: 'EUR' })), 'Pils · €5.50');
  assert.equal(
    describeDetails(entry('setup.product_changed', 'event:e', { name: 'Pils', productId: 'p-1', changed: ['price'], from: '€5.50', to: '€6.00' })),
    'Pils · €5.50 → €6.00',
  );
  assert.equal(describeDetails(entry('setup.station_changed', 'event:e', { name: 'Main bar', changed: ['name', 'productIds'] })), 'Main bar · changed name, product ids');
  assert.equal(describeDetails(entry('setup.promotion_added', 'event:e', { name: 'Happy hour', kind: 'percent_off', promotionId: 'pr-1' })), 'Happy hour');
  assert.equal(describeDetails(entry('setup.tax_ended', 'event:e', { category: 'Food', rate: '9 %' })), 'Food 9 %');
  assert.equal(describeDetails(entry('team.role_changed', 'user:u2', { email: 'v@x.test', from: 'viewer', to: 'manager' })), 'viewer → manager');
  assert.equal(describeDetails(entry('team.member_added', 'user:u3', { email: 's@x.test', name: 'Sam Stock', role: 'manager' })), 'as manager');
  assert.equal(
    describeDetails(entry('devices.terminal_revoked', 'venue:v', { venue: 'Riverside', terminalId: 'term-1', reason: 'Stolen' })),
    'Riverside · terminal term-1 · “Stolen”',
  );
  assert.equal(describeDetails(entry('exports.requested', 'event:e', { kind: 'sales_lines', exportId: 'x-1' })), 'sales lines');
  assert.equal(describeDetails(entry('auth.sign_in_failed', 'user:u1', { factor: 'password', failures: 3, lockedSeconds: 60 })), 'wrong password · 3 in a row · locked 60 s');
  assert.equal(describeDetails(entry('setup.sms_wording_changed', 'event:e', { name: 'Fest', before: 'a', after: 'x'.repeat(80) })), `Fest · now “${'x'.repeat(59)}…”`);
  assert.equal(describeDetails(entry('auth.signed_out', 'user:u1', {})), '');
  // An amount without a currency is not money the log can write.
  assert.equal(describeDetails(entry('x.y', 'event:e', { amount: 250 })), '');
});
