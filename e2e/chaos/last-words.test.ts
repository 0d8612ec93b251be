/** What a process said last, for the chaos supervisor's note when a process exits by itself. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { lastWords } from '../../scripts/lib/last-words.ts';

test('the last line of the process itself, not the harness; a stack Node printed wins over earlier log lines', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapline-last-words-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'terminal.log');
  const line = (o: object) => `${JSON.stringify(o)}\n`;

  writeFileSync(log, line({ name: 'sim-terminal', msg: 'selling' }) + line({ name: 'sim-terminal', msg: 'exiting with code 0: signal SIGHUP' }) + line({ name: 'harness', msg: 'harness saw the process exit' }));
  assert.equal(lastWords(log), 'exiting with code 0: signal SIGHUP');

  writeFileSync(log, line({ name: 'sim-terminal', msg: 'selling' }) + 'file:///x.ts:1\nTypeError: boom\n    at main (x.ts:1:1)\n\nNode.js v20\n' + line({ name: 'harness', msg: 'harness saw the process exit' }));
  assert.equal(lastWords(log), 'TypeError: boom');

  writeFileSync(log, line({ name: 'sim-terminal', msg: 'fatal', err: { message: 'disk full' } }));
  assert.equal(lastWords(log), 'fatal (disk full)');
  assert.equal(lastWords(path.join(dir, 'missing.log')), null);
});
