import { performance } from 'node:perf_hooks';

export interface Timing {
  ops: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Runs `op` `count` times one after another and reports throughput and latency percentiles. */
export async function timeSerial(count: number, op: (i: number) => unknown | Promise<unknown>, warmup = Math.min(50, count)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await op(-1 - i);
  const samples = new Float64Array(count);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    await op(i);
    samples[i] = performance.now() - s;
  }
  return summarise(samples, performance.now() - t0);
}

export function summarise(samples: Float64Array, totalMs: number): Timing {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    ops: samples.length,
    seconds: totalMs / 1000,
    perSecond: samples.length / (totalMs / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: totalMs / samples.length,
  };
}

/**
 * Times several operations in lockstep (a, b, c, a, b, c, …) so bursts of machine noise, such as another process's
 * fsync or a WAL checkpoint, fall on each side alike. Returns one Timing per operation.
 */
export async function timeInterleaved<const Ops extends ReadonlyArray<(i: number) => unknown>>(
  count: number,
  ops: Ops,
  warmup = 30,
): Promise<{ [K in keyof Ops]: Timing }> {
  for (let i = 0; i < warmup; i++) for (const op of ops) await op(-1 - i);
  const samples = ops.map(() => new Float64Array(count));
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < ops.length; k++) {
      const s = performance.now();
      await ops[k]!(i);
      samples[k]![i] = performance.now() - s;
    }
  }
  return samples.map((x) => summarise(x, x.reduce((a, v) => a + v, 0))) as { [K in keyof Ops]: Timing };
}

/** Combines the timings of several rounds (percentiles are taken as the worst round's, a conservative reading). */
export function merge(parts: Timing[]): Timing {
  const ops = parts.reduce((a, p) => a + p.ops, 0);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  return {
    ops,
    seconds,
    perSecond: ops / seconds,
    p50Ms: Math.max(...parts.map((p) => p.p50Ms)),
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
    meanMs: (seconds * 1000) / ops,
  };
}

export interface BenchRow {
  name: string;
  measured: string;
  baseline: string;
  /** measured cost / baseline cost (lower is better), or measured / baseline throughput where `higherIsBetter`. */
  ratio: number;
  /** The ratio compares throughputs, so higher is better. */
  higherIsBetter?: boolean;
  goal: string;
  met: boolean;
  detail?: string;
}

export const fmt = {
  ms: (v: number) => `${v < 1 ? v.toFixed(3) : v.toFixed(2)} ms`,
  rate: (v: number) => `${Math.round(v).toLocaleString('en')}/s`,
  s: (v: number) => `${v.toFixed(2)} s`,
};
