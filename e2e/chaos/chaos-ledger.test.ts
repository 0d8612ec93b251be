import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CloudState, type TerminalFact, reconcileChaos } from '../../scripts/lib/chaos-ledger.ts';

const sale = (id: string, seq: number, bandUid: string, total: number, status: TerminalFact['status'] = 'acked'): TerminalFact => ({
  id, terminalId: 't1', seq, kind: 'sale', bandUid, total, voidsOrderId: null, status,
});

function cloudOf(facts: TerminalFact[], tabs: Record<string, number>): CloudState {
  return {
    orders: facts.map((f) => ({ id: f.id, terminalId: f.terminalId, seq: f.seq, kind: f.kind, bandUid: f.bandUid, total: f.kind === 'sale' ? f.total : null })),
    tabs: new Map(Object.entries(tabs)),
    pricing: { promotions: 0, taxRules: 0, tabFacts: 0 },
    tabJobs: {},
    payments: {},
    sms: {},
  };
}

// The chaos run is only as good as its ledger: each kind of damage must show up in its own count.
test('a clean ledger counts the orders and finds nothing wrong', () => {
  const facts = [sale('a', 1, 'B1', 500), sale('b', 2, 'B1', 250), sale('c', 3, 'B2', 100, 'pending')];
  const l = reconcileChaos(facts, cloudOf(facts, { B1: 750, B2: 100 }));
  assert.deepEqual([l.orders, l.lost, l.duplicated, l.tabMismatches], [3, 0, 0, 0]);
});

test('an approved order missing from the cloud is lost; a rejected one is not expected there', () => {
  const facts = [sale('a', 1, 'B1', 500), sale('b', 2, 'B1', 250), sale('r', 3, 'B1', 999, 'rejected')];
  const l = reconcileChaos(facts, cloudOf([facts[0]!], { B1: 500 }));
  assert.equal(l.orders, 2);
  assert.equal(l.lost, 1);
  assert.match(l.examples.lost[0]!, /^b /);
  assert.equal(l.tabMismatches, 1, 'B1 should be 750 from the terminals');
});

test('a second row for one terminal seq, an unknown order or a rejected one in the cloud are duplicates', () => {
  const facts = [sale('a', 1, 'B1', 500), sale('r', 2, 'B1', 999, 'rejected')];
  const cloud = cloudOf([facts[0]!, { ...facts[0]!, id: 'a2' }, sale('x', 9, 'B1', 1), facts[1]!], { B1: 500 });
  const l = reconcileChaos(facts, cloud);
  assert.equal(l.lost, 0);
  assert.equal(l.duplicated, 3);
});

test('a void takes its sale off the tab; a tab row for a band that sold nothing must be zero', () => {
  const voidOfA: TerminalFact = { id: 'v', terminalId: 't1', seq: 3, kind: 'void', bandUid: 'B1', total: 0, voidsOrderId: 'a', status: 'acked' };
  const facts = [sale('a', 1, 'B1', 500), sale('b', 2, 'B1', 250), voidOfA];
  assert.equal(reconcileChaos(facts, cloudOf(facts, { B1: 250 })).tabMismatches, 0);
  assert.equal(reconcileChaos(facts, cloudOf(facts, { B1: 750 })).tabMismatches, 1);
  assert.equal(reconcileChaos(facts, cloudOf(facts, { B1: 250, B9: 1 })).tabMismatches, 1);
  assert.equal(reconcileChaos(facts, cloudOf(facts, {})).tabMismatches, 1, 'a band with sales and no tab row');
});
