import { spawn } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DESKTOP_ROOT } from '../../src/electron/build.ts';

/* What the Electron shell's tests share: the repository root, temp folders, and running the packager. */

export const REPO_ROOT = path.resolve(DESKTOP_ROOT, '..');

export async function shellTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `tapline-${prefix}-`));
}

export async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Runs a command from the repository root; its output goes into failure messages. */
export function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
