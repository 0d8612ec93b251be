import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFile, rm, stat } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import type { KioskBridge } from '../src/kiosk/api.ts';
import { buildDesktop, DESKTOP_ROOT, MAIN_EXTERNALS, OPTIONAL_EXTERNALS } from '../src/electron/build.ts';
import { KIOSK_CALL_CHANNEL, KIOSK_EVENT_CHANNEL, type KioskCallReply } from '../src/electron/ipc-contract.ts';
import { shellTempDir } from './helpers/electron-shell.ts';

/** The external imports of one esbuild output (bare names only). */
function externalImports(meta: Awaited<ReturnType<typeof buildDesktop>>['mainMeta']): Set<string> {
  const names = new Set<string>();
  for (const out of Object.values(meta.outputs)) for (const i of out.imports) if (i.external) names.add(i.path);
  return names;
}

describe('electron shell: the build', () => {
  let dir: string;
  let built: Awaited<ReturnType<typeof buildDesktop>>;

  before(async () => {
    dir = await shellTempDir('electron-build');
    built = await buildDesktop({ outdir: path.join(dir, 'dist') });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps native addons and worker-thread packages out of the main bundle', async () => {
    const inputs = Object.keys(built.mainMeta.inputs);
    for (const pkg of MAIN_EXTERNALS) {
      assert.equal(
        inputs.filter((i) => i.includes(`node_modules/${pkg}/`)).length,
        0,
        `${pkg} was bundled into main.js; it must load from node_modules`,
      );
    }
    assert.equal(inputs.filter((i) => i.endsWith('.node')).length, 0);
    const externals = externalImports(built.mainMeta);
    for (const pkg of ['electron', 'better-sqlite3', 'pino', 'nfc-pcsc', 'bonjour-service']) {
      assert.ok(externals.has(pkg), `main.js should import ${pkg} at run time; it imports ${[...externals].join(', ')}`);
    }
    const bare = [...externals].filter((p) => !isBuiltin(p));
    const allowed = new Set<string>([...MAIN_EXTERNALS, ...OPTIONAL_EXTERNALS]);
    for (const p of bare) assert.ok(allowed.has(p), `main.js imports ${p} at run time, which is not a declared external`);
    // The bundle is ESM (Electron's main runs it as such because desktop/package.json says "type": "module").
    const text = await readFile(built.mainFile, 'utf8');
    assert.match(text, /^import \{ createRequire as __taplineCreateRequire \} from 'node:module';/);
  });

  it('rewrites import.meta.url in desktop sources to their own place, so paths relative to them still hold', async () => {
    const text = await readFile(built.mainFile, 'utf8');
    const relocated = [...text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)\.href/g)].map((m) => m[1]!);
    // The runtime finds its SQLite migrations this way (desktop/src/runtime/db/open.ts).
    assert.ok(relocated.some((r) => r.endsWith('src/runtime/db/open.ts')), `relocated: ${relocated.join(', ')}`);
    for (const rel of relocated) {
      const file = fileURLToPath(new URL(rel, pathToFileURL(built.mainFile)));
      assert.ok(file.startsWith(path.join(DESKTOP_ROOT, 'src') + path.sep), `${rel} names ${file}`);
      assert.ok((await stat(file)).isFile(), `${file} exists`);
    }
  });

  it('bundles the preload as CommonJS that requires only electron', async () => {
    assert.equal(path.extname(built.preloadFile), '.cjs');
    const text = await readFile(built.preloadFile, 'utf8');
    const required = new Set([...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
    assert.deepEqual([...required], ['electron']);
    assert.doesNotMatch(text, /^\s*import\s/m);
    assert.deepEqual([...externalImports(built.preloadMeta)], ['electron']);
    for (const input of Object.keys(built.preloadMeta.inputs)) assert.doesNotMatch(input, /node_modules/);
    assert.match(text, /exposeInMainWorld\("taplineKiosk"/);
    assert.doesNotMatch(text, /exposeInMainWorld\("[^"]+",\s*(import_electron\.)?ipcRenderer\)/);
  });

  it('exposes a preload bridge that turns refusals into {code, message} and forwards events', async () => {
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    let nextReply: () => Promise<KioskCallReply> = async () => ({ ok: true, result: { setup: 'ready' } });
    const events = new EventEmitter();
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return nextReply();
        },
        on: (channel: string, listener: (...args: unknown[]) => void) => events.on(channel, listener),
      },
    };
    const sandbox = { require: (name: string) => (name === 'electron' ? fakeElectron : assert.fail(`preload required ${name}`)), console };
    runInNewContext(await readFile(built.preloadFile, 'utf8'), sandbox, { filename: built.preloadFile });

    assert.deepEqual([...exposed.keys()], ['taplineKiosk']);
    const bridge = exposed.get('taplineKiosk') as KioskBridge;
    assert.deepEqual(Object.keys(bridge).sort(), ['call', 'on']);
    assert.deepEqual(await bridge.call('state', {}), { setup: 'ready' });
    assert.deepEqual(invoked, [[KIOSK_CALL_CHANNEL, 'state', {}]]);

    nextReply = async () => ({ ok: false, error: { code: 'wrong_pin', message: 'That PIN is not right.' } });
    await assert.rejects(bridge.call('login', { pin: '0000' }), { code: 'wrong_pin', message: 'That PIN is not right.' });
    nextReply = () => Promise.reject(new Error('main process gone'));
    await assert.rejects(bridge.call('state', {}), (err: { code: string; message: string }) => err.code === 'internal' && /not answering/.test(err.message));

    const taps: unknown[] = [];
    const off = bridge.on('tap', (t) => taps.push(t));
    events.emit(KIOSK_EVENT_CHANNEL, {}, 'tap', { id: 't1' });
    events.emit(KIOSK_EVENT_CHANNEL, {}, 'state', { setup: 'ready' });
    events.emit(KIOSK_EVENT_CHANNEL, {}, 'nonsense', {});
    off();
    events.emit(KIOSK_EVENT_CHANNEL, {}, 'tap', { id: 't2' });
    assert.deepEqual(taps, [{ id: 't1' }]);
    assert.throws(() => bridge.on('nonsense' as 'tap', () => {}), /no event/);
  });

  it('builds the renderer next to them', async () => {
    const html = await readFile(path.join(built.rendererDir, 'index.html'), 'utf8');
    assert.match(html, /<script[^>]+src="main\.js"/);
    assert.ok((await stat(path.join(built.rendererDir, 'main.js'))).size > 0);
  });
});
