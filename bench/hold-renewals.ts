/**
 * Card-hold churn, modelled: how many holds (authorisations the attendee sees) a band gets under the old fixed
 * headroom (total + event's hold) and under the growing one (shared/src/hold-policy.ts), on the chaos run's order mix
 * and on a festival's. No processes, no database: the sweeper's rule (a new hold when the total passes the hold)
 * applied after every order, which is what a real-paced event sees (a band orders far less often than the 60 s sweep),
 * and once per sweep for the chaos run as its cloud sees it (100k orders drained in minutes). `npm run bench` adds the
 * table to bench/RESULTS.md.
 *
 *   npx tsx bench/hold-renewals.ts            prints the table, deterministic (fixed seeds), about a second
 *
 * Columns: holds per band (the first, before the event, included), the most any band got, and the hold left unspent
 * at the end of the night (hold − final tab), as a share of what the tabs came to in all.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PRODUCTS, isDemoBandBlocked } from '../cloud/src/seed/demo-constants.ts';
import { between, pick, seededRandom } from '../desktop/src/sim/random.ts';
import { HOLD_GROWTH_BASIS_POINTS, holdFor } from '../shared/src/hold-policy.ts';

export interface Mix {
  name: string;
  bands: number;
  /** Orders in all, spread over the bands at random (the chaos run), or exactly this many per band (festival). */
  orders: { total: number } | { perBand: number };
  seed: number;
  /**
   * Renewals paced by the sweeper instead of the orders: the orders reach the cloud evenly over this many sweeps and
   * the rule is applied once per sweep (a chaos run's 100k orders drain into the cloud over minutes, not hours).
   */
  sweeps?: number;
}

/** A policy: the next hold for a total. `fixed` is the rule before growing headroom. */
export type Policy = { name: string; hold: (total: number, eventHold: number) => number };

export interface ChurnResult {
  mix: string;
  policy: string;
  holdsPerBand: number;
  maxHolds: number;
  /** Σ(final hold − final tab) / Σ final tab. */
  unspentShare: number;
  meanTab: number;
}

/** The event's hold of the demo event and the chaos run: its offline allowance per band, 50.00. */
export const EVENT_HOLD = 5000;
const CURRENCY = 'EUR';

export const CHAOS_MIX: Mix = { name: 'chaos run (100k orders, 500 bands)', bands: 500, orders: { total: 100_000 }, seed: 1 };
export const CHAOS_SWEPT_MIX: Mix = { ...CHAOS_MIX, name: 'chaos run, 20 sweeps (orders reach the cloud over 20 min)', sweeps: 20 };
export const FESTIVAL_MIX: Mix = { name: 'festival (30k bands × 10 orders)', bands: 30_000, orders: { perBand: 10 }, seed: 2 };

export const FIXED: Policy = { name: 'fixed: total + 50.00', hold: (total, eventHold) => Math.max(100, total <= 0 ? eventHold : total + eventHold) };
export const growing = (bp: number): Policy => ({
  name: `growing: max(50.00, ${bp / 100}% of tab)${bp === HOLD_GROWTH_BASIS_POINTS ? ' ← policy' : ''}`,
  hold: (total, eventHold) => holdFor({ total, eventHold, currency: CURRENCY, growthBasisPoints: bp }),
});

/**
 * One order as the simulated terminals make it (desktop/src/sim/sim-terminal.ts): 1–3 different products of the
 * station's menu, 1–3 of each. Odd terminals serve the north bar (drinks only), even ones the main bar (everything).
 */
function orderTotal(rand: () => number, menu: readonly { price: number }[]): number {
  const chosen = new Set<{ price: number }>();
  const lines = between(rand, 1, Math.min(3, menu.length));
  while (chosen.size < lines) chosen.add(pick(rand, menu));
  let total = 0;
  for (const p of chosen) total += p.price * between(rand, 1, 3);
  return total;
}

/** An order of a band: its amount and when it reaches the cloud, as a share of the whole run (0 ≤ at < 1). */
export interface BandOrder {
  amount: number;
  at: number;
}

/** The orders each band runs up: the same for every policy (one seeded stream per mix). */
export function bandOrders(mix: Mix): BandOrder[][] {
  const rand = seededRandom(mix.seed);
  const menus = [DEMO_PRODUCTS, DEMO_PRODUCTS.filter((p) => p.category !== 'Food')];
  // Blocked demo bands are declined at the bar: the orders go to the others.
  const active = Array.from({ length: mix.bands }, (_, i) => i + 1).filter((n) => !isDemoBandBlocked(n));
  const orders = active.map(() => [] as BandOrder[]);
  if ('total' in mix.orders) {
    const n = mix.orders.total;
    for (let i = 0; i < n; i++) orders[Math.floor(rand() * active.length)]!.push({ amount: orderTotal(rand, menus[i % 2]!), at: i / n });
  } else {
    const n = mix.orders.perBand;
    for (const list of orders) for (let i = 0; i < n; i++) list.push({ amount: orderTotal(rand, menus[i % 2]!), at: i / n });
  }
  return orders;
}

export function churn(mix: Mix, orders: BandOrder[][], policy: Policy, eventHold = EVENT_HOLD): ChurnResult {
  let holds = 0;
  let maxHolds = 0;
  let unspent = 0;
  let tabs = 0;
  for (const list of orders) {
    let total = 0;
    let hold = policy.hold(0, eventHold);
    let n = 1;
    const sweepOf = (o: BandOrder | undefined) => (o === undefined ? Infinity : mix.sweeps ? Math.floor(o.at * mix.sweeps) : o.at);
    for (let i = 0; i < list.length; i++) {
      total += list[i]!.amount;
      // The sweeper sees the total once the last order of its sweep is in.
      if (sweepOf(list[i + 1]) === sweepOf(list[i])) continue;
      if (total > hold) {
        hold = policy.hold(total, eventHold);
        n++;
      }
    }
    holds += n;
    maxHolds = Math.max(maxHolds, n);
    unspent += hold - total;
    tabs += total;
  }
  return { mix: mix.name, policy: policy.name, holdsPerBand: holds / orders.length, maxHolds, unspentShare: unspent / tabs, meanTab: tabs / orders.length };
}

export function holdRenewalRows(policies: Policy[] = [FIXED, growing(2_500), growing(HOLD_GROWTH_BASIS_POINTS), growing(10_000)]): ChurnResult[] {
  const rows: ChurnResult[] = [];
  for (const mix of [CHAOS_MIX, CHAOS_SWEPT_MIX, FESTIVAL_MIX]) {
    const orders = bandOrders(mix);
    for (const p of policies) rows.push(churn(mix, orders, p));
  }
  return rows;
}

export function holdRenewalTable(rows: ChurnResult[]): string {
  const euros = (minor: number) => (minor / 100).toFixed(2);
  return [
    '| mix | mean tab | policy | holds per band | most holds on a band | hold unspent at the end |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.mix} | ${euros(r.meanTab)} | ${r.policy} | ${r.holdsPerBand.toFixed(1)} | ${r.maxHolds} | ${(r.unspentShare * 100).toFixed(0)} % |`),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) console.log(holdRenewalTable(holdRenewalRows()));
