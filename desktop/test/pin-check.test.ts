import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPin, type Staff } from '@tapline/shared';
import { KioskError } from '../src/kiosk/kiosk-error.ts';
import { PinCheck } from '../src/kiosk/pin-check.ts';

const staff = (id: string, pin: string): Staff => ({ id, eventId: 'e', name: id, role: 'bartender', pinHash: hashPin(pin) });
const team = [staff('ana', '1111'), staff('ben', '2222'), staff('cy', '3333')];

test('a PIN finds its owner among every staff hash', async () => {
  const check = new PinCheck();
  assert.equal((await check.identify('2222', team))?.id, 'ben');
  assert.equal(await check.identify('4444', team), null);
});

test('five wrong PINs in a row lock the pad for 30 seconds; a right one before that resets the count', async () => {
  let now = 0;
  const check = new PinCheck(() => now);
  for (let i = 0; i < 4; i++) assert.equal(await check.identify('0000', team), null);
  assert.equal((await check.identify('1111', team))?.id, 'ana', 'four misses do not lock');
  for (let i = 0; i < 5; i++) assert.equal(await check.identify('0000', team), null);
  await assert.rejects(check.identify('1111', team), (e: unknown) => e instanceof KioskError && e.code === 'locked_out' && /30 seconds/.test(e.message));
  now = 29_500;
  await assert.rejects(check.identify('1111', team), (e: unknown) => e instanceof KioskError && /1 seconds?/.test(e.message));
  now = 30_001;
  assert.equal((await check.identify('1111', team))?.id, 'ana');
});
