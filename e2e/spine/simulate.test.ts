import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('npm run simulate ends with one ledger line and exit 0 when nothing is lost, through a hub SIGKILL', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/simulate.ts', '--terminals', '3', '--orders', '300', '--rate', '40', '--kill-hub', '1'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, `simulate failed:\n${stderr}\n${stdout}`);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `exactly one line on stdout, got:\n${stdout}`);
  assert.equal(lines[0], 'terminals=3 orders=300 acked=300 in_cloud=300 duplicates=0 lost=0');
  assert.match(stderr, /hub SIGKILLed \(1\/1\)/);
});
