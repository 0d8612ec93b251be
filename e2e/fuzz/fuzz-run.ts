import fc from 'fast-check';

/**
 * How long the fuzz suite runs and how to replay a failure. CI runs the default count with a fixed seed; a laptop a
 * random one; `TAPLINE_FUZZ_RUNS=2000` runs
 * longer; `TAPLINE_FUZZ_SEED` (and `TAPLINE_FUZZ_PATH`, both printed on failure) replays one failing case.
 */
const DEFAULT_RUNS = 40;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, not "${raw}"`);
  return n;
}

/** Runs per property, scaled by `weight` for the cheap properties that should see more inputs. */
export function fuzzRuns(weight = 1): number {
  return Math.max(1, Math.round((envInt('TAPLINE_FUZZ_RUNS') ?? DEFAULT_RUNS) * weight));
}

/**
 * The seed CI runs with. CI is a gate: a new input found by a fresh random seed would fail a commit that changed
 * nothing near it, so CI replays the same inputs every time and a laptop explores new ones (a run that finds
 * something prints the seed to replay, and the fix gets a test of its own).
 */
const CI_SEED = 20261122;

// One seed per process, so every property of a run is replayable from the one number printed.
const seed =
  envInt('TAPLINE_FUZZ_SEED') ?? (process.env.CI === 'true' ? CI_SEED : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0);

/**
 * `fc.assert` with the suite's run count and seed; a failure names the seed (and the counterexample's path) to
 * replay it with.
 */
export async function fuzz<Ts>(property: fc.IAsyncProperty<Ts>, o: { weight?: number } = {}): Promise<void> {
  const path = process.env.TAPLINE_FUZZ_PATH;
  const params: fc.Parameters<Ts> = {
    seed,
    numRuns: fuzzRuns(o.weight),
    ...(path ? { path } : {}),
  };
  try {
    await fc.assert(property, params);
  } catch (err) {
    const pathHint = /path: "([^"]*)"/.exec(String((err as Error).message))?.[1];
    const replay = `Replay: TAPLINE_FUZZ_SEED=${seed}${pathHint ? ` TAPLINE_FUZZ_PATH=${pathHint}` : ''}`;
    if (err instanceof Error) {
      // fast-check keeps the failing assertion as the cause; put its words where a CI log shows them.
      const cause = (err as Error & { cause?: unknown }).cause;
      const why = cause instanceof Error ? `\nFailure: ${cause.message}` : '';
      err.message = `${err.message}${why}\n${replay}`;
    }
    throw err;
  }
}

/** Says how to replay; printed once per file so a CI log carries the seed even when nothing failed. */
export function announceSeed(file: string): void {
  console.log(`${file}: fuzz seed ${seed}, ${fuzzRuns()} runs per property (TAPLINE_FUZZ_SEED / TAPLINE_FUZZ_RUNS)`);
}
