import assert from 'node:assert/strict';
import { rm, stat, writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { KioskState } from '../src/kiosk/api.ts';
import { APP_START_URL, CONTENT_SECURITY_POLICY } from '../src/electron/app-origin.ts';
import { buildDesktop, DESKTOP_ROOT } from '../src/electron/build.ts';
import { KIOSK_CALL_CHANNEL } from '../src/electron/ipc-contract.ts';
import { exists, shellTempDir } from './helpers/electron-shell.ts';
import { FAKE_ELECTRON, type FakeElectron, RESOLVE_HOOKS } from './helpers/fake-electron.ts';

describe('electron shell: dist/electron/main.js runs with a stand-in electron', () => {
  let dir: string;
  let fake: FakeElectron;
  let built: Awaited<ReturnType<typeof buildDesktop>>;
  const savedEnv = { TAPLINE_LOG_LEVEL: process.env.TAPLINE_LOG_LEVEL, TAPLINE_KIOSK_DATA_DIR: process.env.TAPLINE_KIOSK_DATA_DIR };

  before(async () => {
    dir = await shellTempDir('electron-main');
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
