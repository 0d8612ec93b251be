import type { EventEmitter } from 'node:events';
import type { KioskCallReply } from '../../src/electron/ipc-contract.ts';
import type { IpcSender } from '../../src/electron/ipc.main.ts';

/**
 * A stand-in for the `electron` module: enough of app, BrowserWindow, ipcMain, protocol and powerSaveBlocker for
 * dist/electron/main.js to run under plain Node, recording what the shell asked of Electron.
 */
export const FAKE_ELECTRON = String.raw`
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
export const RESOLVE_HOOKS = String.raw`
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

/** What the stand-in records, as the test reads it from globalThis.__fakeElectron. */
export interface FakeElectron {
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
