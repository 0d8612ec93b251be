import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The chaos run, small enough for CI on two cores: 4 terminals, 2,000 orders over 15 s, a SIGKILL in every 3-second
 * slot (the first one always lands), a fault every second or so on each link, and a 5-second stall on the hub→cloud
 * link and on one terminal link. A random seed each run (printed on failure); TAPLINE_CHAOS_SEED replays one.
 */
test('a small chaos run loses nothing, duplicates nothing and every tab adds up', { timeout: 300_000 }, async () => {
  const args = [
    '--import', 'tsx', path.join(root, 'scripts/chaos.ts'),
    '--terminals', '4',
    '--orders', '2000',
    '--duration', '15',
    '--stall-seconds', '5',
    '--kill-every', '3',
    '--fault-every', '1000',
    '--drain-timeout', '150',
    '--bands', '300',
    ...(process.env.TAPLINE_CHAOS_SEED ? ['--seed', process.env.TAPLINE_CHAOS_SEED] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const why = `chaos run output:\n${stderr.split('\n').slice(-40).join('\n')}`;

  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `exactly one line on stdout, got ${JSON.stringify(stdout)}\n${why}`);
  const m = /^orders=(\d+) lost=(\d+) duplicated=(\d+) tab_mismatches=(\d+) kills=(\d+) faults=(\d+)$/.exec(lines[0]!);
  assert.ok(m, `the final line has the agreed form: ${lines[0]}\n${why}`);
  const [, orders, lost, duplicated, mismatches, kills, faults] = m.map(Number);
  assert.equal(orders, 2000, why);
  assert.equal(lost, 0, why);
  assert.equal(duplicated, 0, why);
  assert.equal(mismatches, 0, why);
  assert.ok(kills! >= 1, `the run SIGKILLed (${kills})\n${why}`);
  assert.ok(faults! >= 2, `the run injected faults, both stalls at least (${faults})\n${why}`);
  assert.equal(code, 0, why);
});
