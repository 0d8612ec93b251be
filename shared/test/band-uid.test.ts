import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BandUid, normalizeBandUid } from '../src/band-uid.ts';

test('4- and 7-byte UIDs in any reader spelling normalise to bare uppercase hex', () => {
  assert.equal(normalizeBandUid('04:a2:2b:1a'), '04A22B1A');
  assert.equal(normalizeBandUid('04 A2 2B 1A 5C 80 81'), '04A22B1A5C8081');
  assert.equal(normalizeBandUid('04-a2-2b-1a-5c-80-81-00-11-22'), '04A22B1A5C8081001122');
});

test('other lengths and non-hex are refused', () => {
  assert.equal(normalizeBandUid('04A22B'), null);
  assert.equal(normalizeBandUid('04A22B1G'), null);
  assert.equal(normalizeBandUid(''), null);
  assert.equal(BandUid.safeParse('04a22b1a').success, false);
  assert.equal(BandUid.safeParse('04A22B1A').success, true);
});
