import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isBuiltin, register } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import type { KioskBridge, KioskState } from '../src/kiosk/api.ts';
import { KioskError } from '../src/kiosk/kiosk-error.ts';
import type { KioskServiceEvents } from '../src/kiosk/kiosk-service.ts';
import { appFilePath, appFileResponse } from '../src/electron/app-files.ts';
import { APP_START_URL, CONTENT_SECURITY_POLICY, isAppUrl } from '../src/electron/app-origin.ts';
import { buildDesktop, DESKTOP_ROOT, MAIN_EXTERNALS, OPTIONAL_EXTERNALS } from '../src/electron/build.ts';
import { KIOSK_CALL_CHANNEL, KIOSK_EVENT_CHANNEL, type KioskCallReply } from '../src/electron/ipc-contract.ts';
import { wireKioskIpc, type IpcSender } from '../src/electron/ipc.main.ts';

const REPO_ROOT = path.resolve(DESKTOP_ROOT, '..');
const silent = pino({ level: 'silent' });

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `tapline-${prefix}-`));
}

describe('electron shell: the app origin and its files', () => {
  it('treats only tapline://kiosk as the app', () => {
    assert.equal(isAppUrl(APP_START_URL), true);
    assert.equal(isAppUrl('tapline://kiosk/screens/x.js'), true);
    assert.equal(isAppUrl('tapline://other/index.html'), false);
    assert.equal(isAppUrl('file:///etc/passwd'), false);
    assert.equal(isAppUrl('https://kiosk/index.html'), false);
    assert.equal(isAppUrl('not a url'), false);
  });

  it('maps app URLs into the renderer folder and nowhere else', () => {
    const root = path.join(path.sep, 'app', 'renderer');
    assert.equal(appFilePath(root, 'tapline://kiosk/'), path.join(root, 'index.html'));
    assert.equal(appFilePath(root, 'tapline://kiosk/main.js?v=1'), path.join(root, 'main.js'));
    assert.equal(appFilePath(root, 'tapline://kiosk/../../etc/passwd'), path.join(root, 'etc', 'passwd'));
    // URL parsing already folds dot segments, encoded or not, so these stay inside the folder...
    assert.equal(appFilePath(root, 'tapline://kiosk/%2e%2e/%2e%2e/etc/passwd'), path.join(root, 'etc', 'passwd'));
    // ...and a slash that only appears after decoding cannot climb out either.
    assert.equal(appFilePath(root, 'tapline://kiosk/..%2fsecret'), null);
    assert.equal(appFilePath(root, 'tapline://kiosk/a%00b'), null);
    assert.equal(appFilePath(root, 'tapline://other/index.html'), null);
    assert.equal(appFilePath(root, 'file:///app/renderer/index.html'), null);
  });

  it('serves a file with its type and the CSP header, and 404s the rest', async () => {
    const dir = await tempDir('appfiles');
    try {
      await writeFile(path.join(dir, 'index.html'), '<div id="app"></div>');
      await writeFile(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), 'no');
      const ok = await appFileResponse(dir, APP_START_URL);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(ok.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.equal(await ok.text(), '<div id="app"></div>');
      const missing = await appFileResponse(dir, 'tapline://kiosk/nope.js');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      const outside = await appFileResponse(dir, `tapline://kiosk/%2e%2e/${path.basename(dir)}-secret.txt`);
      assert.equal(outside.status, 404);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), { force: true });
    }
  });

  it('gives the screens no network and no inline scripts', () => {
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
    assert.match(CONTENT_SECURITY_POLICY, /connect-src 'none'/);
    assert.match(CONTENT_SECURITY_POLICY, /object-src 'none'/);
  });
});

type Handler = (event: IpcSender, ...args: unknown[]) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    assert.equal(this.handlers.has(channel), false, `a second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(event: IpcSender, ...args: unknown[]): Promise<KioskCallReply> {
    const handler = this.handlers.get(KIOSK_CALL_CHANNEL);
    assert.ok(handler, 'no kiosk:call handler');
    return Promise.resolve(handler(event, ...args)) as Promise<KioskCallReply>;
  }
}

class FakeContents {
  readonly sent: unknown[][] = [];
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

class FakeService extends EventEmitter<KioskServiceEvents> {
  readonly calls: Array<[string, unknown]> = [];
  async call(method: string, args: unknown): Promise<unknown> {
    this.calls.push([method, args]);
    if (method === 'login') throw new KioskError('wrong_pin', 'That PIN is not right.');
    if (method === 'boom') throw new Error('disk on fire at /var/secret');
    return { echoed: method };
  }
}

describe('electron shell: IPC between the window and the kiosk process', () => {
  const wire = () => {
    const ipcMain = new FakeIpcMain();
    const contents = new FakeContents();
    const service = new FakeService();
    const unwire = wireKioskIpc({ ipcMain, contents, service, log: silent });
    const fromApp: IpcSender = { sender: contents, senderFrame: { url: APP_START_URL } };
    return { ipcMain, contents, service, unwire, fromApp };
  };

  it('answers the kiosk window with the service result', async () => {
    const { ipcMain, service, fromApp } = wire();
    assert.deepEqual(await ipcMain.invoke(fromApp, 'menu', {}), { ok: true, result: { echoed: 'menu' } });
    assert.deepEqual(service.calls, [['menu', {}]]);
  });

  it('turns a KioskError into its code and sentence, anything else into internal without details', async () => {
    const { ipcMain, fromApp } = wire();
    assert.deepEqual(await ipcMain.invoke(fromApp, 'login', { pin: '0000' }), {
      ok: false,
      error: { code: 'wrong_pin', message: 'That PIN is not right.' },
    });
    const boom = await ipcMain.invoke(fromApp, 'boom', {});
    assert.equal(boom.ok, false);
    assert.equal(!boom.ok && boom.error.code, 'internal');
    assert.doesNotMatch(!boom.ok ? boom.error.message : '', /secret/);
    assert.equal((await ipcMain.invoke(fromApp, 42, {})).ok, false);
  });

  it('refuses other windows and frames that left the app, without calling the service', async () => {
    const { ipcMain, service, fromApp } = wire();
    const otherWindow = { sender: new FakeContents(), senderFrame: { url: APP_START_URL } };
    const navigatedAway = { sender: fromApp.sender, senderFrame: { url: 'https://evil.example/' } };
    const goneFrame = { sender: fromApp.sender, senderFrame: null };
    for (const event of [otherWindow, navigatedAway, goneFrame]) {
      const reply = await ipcMain.invoke(event, 'state', {});
      assert.equal(reply.ok, false);
    }
    assert.deepEqual(service.calls, []);
  });

  it('forwards state, tap and hubs to the window until unwired', () => {
    const { ipcMain, contents, service, unwire } = wire();
    const state = { setup: 'unpaired' } as KioskState;
    service.emit('state', state);
    service.emit('tap', { id: 't1', uid: '04AABB', reader: 'r', at: '2025-07-01T12:00:00Z', manual: false });
    service.emit('hubs', [{ hubId: 'h', name: 'Hub', url: 'http://10.0.0.2:4000' }]);
    assert.deepEqual(
      contents.sent.map(([channel, name]) => [channel, name]),
      [
        [KIOSK_EVENT_CHANNEL, 'state'],
        [KIOSK_EVENT_CHANNEL, 'tap'],
        [KIOSK_EVENT_CHANNEL, 'hubs'],
      ],
    );
    assert.equal(contents.sent[0]?.[2], state);

    contents.destroyed = true;
    service.emit('state', state);
    assert.equal(contents.sent.length, 3, 'nothing is sent to a destroyed window');

    unwire();
    assert.equal(ipcMain.handlers.size, 0);
    assert.equal(service.listenerCount('state') + service.listenerCount('tap') + service.listenerCount('hubs'), 0);
  });
});

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
    dir = await tempDir('electron-build');
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

/**
 * A stand-in for the `electron` module: enough of app, BrowserWindow, ipcMain, protocol and powerSaveBlocker for
 * dist/electron/main.js to run under plain Node, recording what the shell asked of Electron.
 */
const FAKE_ELECTRON = String.raw`
import { EventEmitter } from 'node:events';
const rec = { calls: [], windows: [], handlers: new Map(), protocols: new Map(), switches: new Set(), blockers: new Set() };
globalThis.__fakeElectron = rec;
let quitDone;
rec.quitted = new Promise((resolve) => { quitDone = resolve; });
let ipcReady, startFailed;
rec.ipcReady = new Promise((resolve, reject) => { ipcReady = resolve; startFailed = reject; });
const paths = new Map();
class App extends EventEmitter {
  commandLine = { hasSwitch: (name) => rec.switches.has(name) };
  requestSingleInstanceLock() { rec.calls.push('requestSingleInstanceLock'); return true; }
  whenReady() { rec.calls.push('whenReady'); return Promise.resolve(); }
  setPath(name, value) { paths.set(name, value); }
  getPath(name) { if (!paths.has(name)) throw new Error('no path ' + name); return paths.get(name); }
  getAppPath() { return rec.appPath; }
  quit() {
    rec.calls.push('quit');
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => { prevented = true; } });
    if (!prevented) quitDone();
  }
  exit(code) {
    rec.calls.push('exit:' + code);
    startFailed(new Error('the shell exited with ' + code + ': ' + rec.calls.filter((c) => c.startsWith('showErrorBox')).join('; ')));
    quitDone();
  }
}
export const app = new App();
rec.app = app;
paths.set('appData', '/nonexistent-appdata');
class Contents extends EventEmitter {
  sent = [];
  mainFrame = { url: 'tapline://kiosk/index.html' };
  session = {
    setPermissionRequestHandler: (h) => { rec.permissionRequest = h; },
    setPermissionCheckHandler: (h) => { rec.permissionCheck = h; },
  };
  setWindowOpenHandler(h) { this.windowOpenHandler = h; }
  send(...args) { this.sent.push(args); }
  isDestroyed() { return false; }
}
export class BrowserWindow extends EventEmitter {
  constructor(options) { super(); this.options = options; this.webContents = new Contents(); this.loaded = []; rec.windows.push(this); rec.calls.push('BrowserWindow'); }
  loadURL(url) { this.loaded.push(url); return Promise.resolve(); }
  isDestroyed() { return false; }
  isMinimized() { return false; }
  show() {}
  focus() {}
  restore() {}
}
export const Menu = { setApplicationMenu: (menu) => rec.calls.push('setApplicationMenu:' + menu) };
export const ipcMain = {
  handle: (channel, fn) => { rec.handlers.set(channel, fn); ipcReady(); },
  removeHandler: (channel) => { rec.handlers.delete(channel); },
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => { rec.calls.push('registerSchemesAsPrivileged'); rec.schemes = schemes; },
  handle: (scheme, fn) => { rec.calls.push('protocol.handle:' + scheme); rec.protocols.set(scheme, fn); },
};
let nextBlocker = 1;
export const powerSaveBlocker = {
  start: (type) => { const id = nextBlocker++; rec.blockers.add(id); rec.calls.push('powerSaveBlocker:' + type); return id; },
  isStarted: (id) => rec.blockers.has(id),
  stop: (id) => { rec.blockers.delete(id); rec.calls.push('powerSaveBlocker.stop'); },
};
export const dialog = { showErrorBox: (title, text) => rec.calls.push('showErrorBox:' + title + ': ' + text) };
export default { app, BrowserWindow, Menu, ipcMain, protocol, powerSaveBlocker, dialog };
`;

/** Sends `electron` to the stand-in, and the bundle's other bare imports to the repo's node_modules. */
const RESOLVE_HOOKS = String.raw`
import { isBuiltin } from 'node:module';
let state;
export async function initialize(data) { state = data; }
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: state.fakeElectron, shortCircuit: true };
  const fromBundle = context.parentURL && context.parentURL.startsWith(state.bundleRoot);
  const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':') && !isBuiltin(specifier);
  if (fromBundle && bare) return next(specifier, { ...context, parentURL: state.resolveFrom });
  return next(specifier, context);
}
`;

interface FakeElectron {
  calls: string[];
  windows: Array<{
    options: Record<string, unknown> & { webPreferences: Record<string, unknown> };
    loaded: string[];
    webContents: EventEmitter & { sent: unknown[][]; windowOpenHandler: (d: { url: string }) => { action: string } };
  }>;
  handlers: Map<string, (event: IpcSender, ...args: unknown[]) => Promise<KioskCallReply>>;
  protocols: Map<string, (request: { url: string }) => Promise<Response>>;
  schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>;
  switches: Set<string>;
  blockers: Set<number>;
  appPath: string;
  quitted: Promise<void>;
  ipcReady: Promise<void>;
  permissionRequest: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void;
  permissionCheck: (wc: unknown, permission: string) => boolean;
  app: { quit(): void };
}

describe('electron shell: dist/electron/main.js runs with a stand-in electron', () => {
  let dir: string;
  let fake: FakeElectron;
  let built: Awaited<ReturnType<typeof buildDesktop>>;
  const savedEnv = { TAPLINE_LOG_LEVEL: process.env.TAPLINE_LOG_LEVEL, TAPLINE_KIOSK_DATA_DIR: process.env.TAPLINE_KIOSK_DATA_DIR };

  before(async () => {
    dir = await tempDir('electron-main');
    built = await buildDesktop({ outdir: path.join(dir, 'dist') });
    // What desktop/package.json says for the real app: .js is ESM.
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(path.join(dir, 'fake-electron.mjs'), FAKE_ELECTRON);
    await writeFile(path.join(dir, 'hooks.mjs'), RESOLVE_HOOKS);
    register(pathToFileURL(path.join(dir, 'hooks.mjs')), {
      data: {
        fakeElectron: pathToFileURL(path.join(dir, 'fake-electron.mjs')).href,
        bundleRoot: pathToFileURL(dir).href,
        resolveFrom: pathToFileURL(path.join(DESKTOP_ROOT, 'package.json')).href,
      },
    });
    await import(pathToFileURL(path.join(dir, 'fake-electron.mjs')).href);
    fake = (globalThis as unknown as { __fakeElectron: FakeElectron }).__fakeElectron;
    fake.appPath = dir;
    fake.switches.add('no-nfc');
    fake.switches.add('no-mdns');
    process.env.TAPLINE_LOG_LEVEL = 'silent';
    process.env.TAPLINE_KIOSK_DATA_DIR = path.join(dir, 'user-data');
    await import(pathToFileURL(built.mainFile).href);
    await fake.ipcReady;
  });

  after(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('registers the app scheme before ready, then serves it, locks one instance and keeps the screen awake', () => {
    assert.deepEqual(fake.schemes, [{ scheme: 'tapline', privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } }]);
    const order = (name: string) => fake.calls.indexOf(name);
    assert.ok(order('registerSchemesAsPrivileged') >= 0 && order('registerSchemesAsPrivileged') < order('whenReady'));
    assert.ok(order('requestSingleInstanceLock') >= 0);
    assert.ok(order('protocol.handle:tapline') > order('whenReady'));
    assert.ok(fake.calls.includes('powerSaveBlocker:prevent-display-sleep'));
    assert.ok(order('setApplicationMenu:null') >= 0 && order('setApplicationMenu:null') < order('BrowserWindow'));
  });

  it('opens one locked-down kiosk window on the app URL with the built preload', async () => {
    assert.equal(fake.windows.length, 1);
    const win = fake.windows[0]!;
    assert.equal(win.options.kiosk, true);
    assert.equal(win.options.fullscreen, true);
    assert.equal(win.options.autoHideMenuBar, true);
    const prefs = win.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.spellcheck, false);
    assert.equal(prefs.preload, built.preloadFile);
    assert.ok((await stat(String(prefs.preload))).isFile());
    assert.deepEqual(win.loaded, [APP_START_URL]);
  });

  it('denies new windows, navigation off the app and every permission', async () => {
    const contents = fake.windows[0]!.webContents;
    assert.deepEqual(contents.windowOpenHandler({ url: 'https://evil.example/' }), { action: 'deny' });
    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-frame-navigate', { url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    assert.equal(navigate('https://evil.example/'), true);
    assert.equal(navigate('file:///etc/passwd'), true);
    assert.equal(navigate('tapline://kiosk/index.html'), false);
    const granted = await new Promise<boolean>((resolve) => fake.permissionRequest({}, 'media', resolve));
    assert.equal(granted, false);
    assert.equal(fake.permissionCheck({}, 'geolocation'), false);
  });

  it('serves the built screens on tapline://kiosk with the CSP header', async () => {
    const serve = fake.protocols.get('tapline');
    assert.ok(serve);
    const page = await serve({ url: APP_START_URL });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(await page.text(), /<div id="app">/);
    assert.equal((await serve({ url: 'tapline://kiosk/%2e%2e/electron/main.js' })).status, 404);
  });

  it('answers kiosk calls from the window with the real kiosk process behind them', async () => {
    const call = fake.handlers.get(KIOSK_CALL_CHANNEL);
    assert.ok(call);
    const sender = fake.windows[0]!.webContents;
    const state = await call({ sender, senderFrame: { url: APP_START_URL } }, 'state', {});
    assert.equal(state.ok, true);
    assert.equal(state.ok && (state.result as KioskState).setup, 'unpaired');
    const bad = await call({ sender, senderFrame: { url: APP_START_URL } }, 'login', { pin: '1' });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.code, 'invalid_input');
    const foreign = await call({ sender, senderFrame: { url: 'https://evil.example/' } }, 'state', {});
    assert.equal(foreign.ok, false);
    assert.ok((await stat(path.join(dir, 'user-data', 'terminal.db'))).isFile(), 'the terminal database is in the data dir');
  });

  it('quits only after the kiosk process has closed', async () => {
    assert.equal(await exists(path.join(dir, 'user-data', 'terminal.db-wal')), true, 'the database is open in WAL mode');
    fake.calls.length = 0;
    fake.app.quit();
    await fake.quitted;
    assert.deepEqual(
      fake.calls.filter((c) => c === 'quit' || c === 'powerSaveBlocker.stop'),
      ['quit', 'powerSaveBlocker.stop', 'quit'],
    );
    assert.equal(fake.handlers.size, 0, 'the IPC handler is removed');
    // SQLite removes the WAL file when its last connection closes: the terminal database was closed, not abandoned.
    assert.equal(await exists(path.join(dir, 'user-data', 'terminal.db')), true);
    assert.equal(await exists(path.join(dir, 'user-data', 'terminal.db-wal')), false);
    assert.equal(fake.blockers.size, 0);
  });
});

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
    const out = await tempDir('electron-pack');
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

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
