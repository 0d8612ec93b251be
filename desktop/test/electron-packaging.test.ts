import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildDesktop, DESKTOP_ROOT } from '../src/electron/build.ts';
import { exists, REPO_ROOT, run, shellTempDir } from './helpers/electron-shell.ts';

/** The file list of an asar archive (its header is a JSON tree after two length-prefixed pickles). */
async function asarFiles(file: string): Promise<Set<string>> {
  const buf = await readFile(file);
  const jsonSize = buf.readUInt32LE(12);
  const header = JSON.parse(buf.subarray(16, 16 + jsonSize).toString('utf8')) as AsarDir;
  const files = new Set<string>();
  const walk = (dir: AsarDir, prefix: string) => {
    for (const [name, node] of Object.entries(dir.files)) {
      const p = prefix ? `${prefix}/${name}` : name;
      if ('files' in node) walk(node, p);
      else files.add(p);
    }
  };
  walk(header, '');
  return files;
}
interface AsarDir {
  files: Record<string, AsarDir | { size: number }>;
}

describe('electron shell: electron-builder.yml', () => {
  it('packages AppImage and deb for Linux and nsis for Windows, with the native addons unpacked', async () => {
    const config = parseYaml(await readFile(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as {
      directories: { app: string };
      files: string[];
      extraMetadata: { main: string };
      asarUnpack: string[];
      npmRebuild: boolean;
      linux: { target: string[] };
      deb: { depends: string[] };
      win: { target: string[] };
    };
    assert.equal(config.directories.app, 'desktop');
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(config.win.target, ['nsis']);
    assert.equal(config.npmRebuild, true);
    for (const dep of ['pcscd', 'libpcsclite1', 'libgtk-3-0', 'libnss3']) assert.ok(config.deb.depends.includes(dep), `deb depends on ${dep}`);
    for (const mod of ['better-sqlite3', '@pokusew/pcsclite']) assert.ok(config.asarUnpack.some((p) => p.includes(`node_modules/${mod}/`)), `${mod} unpacked`);
    const pkg = JSON.parse(await readFile(path.join(DESKTOP_ROOT, 'package.json'), 'utf8')) as { main: string };
    assert.equal(config.extraMetadata.main, pkg.main);
    assert.equal(pkg.main, 'dist/electron/main.js');
    assert.ok(config.files.includes('drizzle/**'), 'the migrations ship with the app');
  });

  it('packs the built app with electron-builder (a stand-in Electron, no rebuild): bundles, screens, migrations, unpacked addons', async (t) => {
    const out = await shellTempDir('electron-pack');
    try {
      // Packaging reads desktop/dist, the same place `npm run build:desktop` writes.
      const built = await buildDesktop();
      const electronDist = path.join(out, 'electron-dist');
      await mkdir(path.join(electronDist, 'resources'), { recursive: true });
      await writeFile(path.join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
      await chmod(path.join(electronDist, 'electron'), 0o755);
      const cli = path.join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js');
      const output = path.join(out, 'out');
      const result = await run(process.execPath, [
        cli,
        '--linux',
        'dir',
        '--publish',
        'never',
        '-c.npmRebuild=false',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${output}`,
      ]);
      t.diagnostic(`electron-builder exited ${result.code}`);
      assert.equal(result.code, 0, `electron-builder failed:\n${result.output}`);
      const resources = path.join(output, 'linux-unpacked', 'resources');
      const files = await asarFiles(path.join(resources, 'app.asar'));
      for (const f of ['package.json', 'dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/main.js', 'drizzle/meta/_journal.json']) {
        assert.ok(files.has(f), `${f} is in app.asar`);
      }
      assert.ok(files.has('drizzle/0000_init.sql'));
      assert.equal([...files].filter((f) => f.startsWith('dist/') && f.endsWith('.map')).length, 0, 'no source maps shipped');
      for (const mod of ['pino', 'nfc-pcsc', 'bonjour-service']) assert.ok([...files].some((f) => f.startsWith(`node_modules/${mod}/`)), `${mod} ships`);
      assert.ok(!(await exists(path.join(resources, 'app.asar.unpacked', 'node_modules', 'esbuild'))), 'esbuild does not ship');
      assert.ok(await exists(path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'package.json')), 'better-sqlite3 is unpacked');
      assert.ok(await exists(path.join(resources, 'app.asar.unpacked', 'node_modules', '@pokusew', 'pcsclite', 'package.json')), '@pokusew/pcsclite is unpacked');
      assert.equal(files.has('dist/electron/main.js') && (await stat(built.mainFile)).isFile(), true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
