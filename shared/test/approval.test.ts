import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, type ApprovalInput } from '../src/approval.ts';
import type { Event, Wristband } from '../src/domain.ts';

const event: Event = {
  id: 'e', name: 'Fest', currency: 'EUR', timezone: 'Europe/Amsterdam', startsAt: '2026-11-21T10:00:00Z',
  endsAt: '2026-11-23T10:00:00Z', offlineBandAllowance: 5000, offlineTerminalTotal: 20000, noCardAllowance: 2500,
};
const band: Wristband = { uid: '04A22B1A', eventId: 'e', attendeeId: 'a', firstName: 'Ana', status: 'active', hasCard: true, tabLimit: null };
const input = (over: Partial<ApprovalInput>): ApprovalInput => ({
  event, band, amount: 1000, tabTotal: 0, online: true, bandOfflineSpent: 0, terminalOfflineSpent: 0, ...over,
});
const reason = (i: ApprovalInput) => { const d = decide(i); return d.approved ? 'approved' : d.reason; };

test('the offline risk policy, case by case', () => {
  assert.equal(reason(input({})), 'approved');
  assert.equal(reason(input({ band: undefined })), 'unknown_band');
  assert.equal(reason(input({ band: { ...band, eventId: 'other' } })), 'unknown_band');
  assert.equal(reason(input({ band: { ...band, status: 'blocked' } })), 'blocked');
  assert.equal(reason(input({ band: { ...band, tabLimit: 1500 }, tabTotal: 600 })), 'over_limit');
  assert.equal(reason(input({ band: { ...band, hasCard: false }, tabTotal: 2000 })), 'over_limit');
  assert.equal(reason(input({ online: false, bandOfflineSpent: 4500 })), 'offline_allowance');
  assert.equal(reason(input({ online: true, bandOfflineSpent: 4500 })), 'approved');
  assert.equal(reason(input({ online: false, terminalOfflineSpent: 19500 })), 'offline_terminal_total');
  assert.equal(reason(input({ online: false, bandOfflineSpent: 4000 })), 'approved');
});

test('a staff PIN hash verifies its PIN only', async () => {
  const { hashPin, verifyPin, verifyPinAsync } = await import('../src/pin-hash.ts');
  const h = hashPin('1234');
  assert.match(h, /^scrypt\$[^$]+\$[^$]+$/);
  assert.equal(verifyPin('1234', h), true);
  assert.equal(verifyPin('1235', h), false);
  assert.equal(verifyPin('1234', 'plain$1234'), false);
  assert.notEqual(hashPin('1234'), h, 'a fresh salt each time');
  assert.equal(await verifyPinAsync('1234', h), true);
  assert.equal(await verifyPinAsync('4321', h), false);
  assert.equal(await verifyPinAsync('1234', 'scrypt$$'), false);
});
