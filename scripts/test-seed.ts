/**
 * Loaded before every unit and cloud test file (`node --import`): under CI=true the property tests replay one fixed
 * fast-check seed. CI is a gate, so an input a fresh random seed happens to find must not fail a commit that did not
 * touch it; on a laptop every run draws a new seed and explores (a failure prints the seed and the path to replay,
 * and the fix gets a case of its own). The fuzz suite keeps its own seed (e2e/fuzz/fuzz-run.ts).
 *
 *   TAPLINE_PROPERTY_SEED=<n> npm run test:unit    replays seed n anywhere
 */
import fc from 'fast-check';

const CI_SEED = 20261122;
const fromEnv = process.env.TAPLINE_PROPERTY_SEED;
const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : process.env.CI === 'true' ? CI_SEED : undefined;
if (seed !== undefined) {
  if (!Number.isInteger(seed)) throw new Error(`TAPLINE_PROPERTY_SEED must be an integer, not "${fromEnv}"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
