import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UidBounceGate } from '../src/nfc/uid-bounce.ts';

const R0 = 'Virtual PCD 00 00';
const R1 = 'Virtual PCD 00 01';

test('a first arrival is a tap', () => {
  assert.equal(new UidBounceGate(800).arrived(R0, '04A1B2C3', 0), true);
});

test('the same band back on the same reader inside the window is a flap, not a tap', () => {
  const gate = new UidBounceGate(800);
  gate.departed(R0, '04A1B2C3', 1000);
  assert.equal(gate.arrived(R0, '04A1B2C3', 1000), false);
  assert.equal(gate.arrived(R0, '04A1B2C3', 1799), false);
});

test('the same band back once the window has passed is a new tap', () => {
  const gate = new UidBounceGate(800);
  gate.departed(R0, '04A1B2C3', 1000);
  assert.equal(gate.arrived(R0, '04A1B2C3', 1800), true);
});

test('another band, or the same band on another reader, is never held back', () => {
  const gate = new UidBounceGate(800);
  gate.departed(R0, '04A1B2C3', 1000);
  assert.equal(gate.arrived(R0, '04D4E5F6', 1001), true);
  assert.equal(gate.arrived(R1, '04A1B2C3', 1001), true);
});

test('a band that keeps flapping stays one tap: each departure restarts the window', () => {
  const gate = new UidBounceGate(800);
  gate.departed(R0, 'AA', 0);
  assert.equal(gate.arrived(R0, 'AA', 700), false);
  gate.departed(R0, 'AA', 1400);
  assert.equal(gate.arrived(R0, 'AA', 2100), false);
  assert.equal(gate.arrived(R0, 'AA', 2200), true);
});

test('only the last band to leave a reader is remembered', () => {
  const gate = new UidBounceGate(800);
  gate.departed(R0, 'AA', 0);
  gate.departed(R0, 'BB', 10);
  assert.equal(gate.arrived(R0, 'AA', 20), true);
  assert.equal(gate.arrived(R0, 'BB', 20), false);
});
