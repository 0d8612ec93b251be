/**
 * The Electron shell's entry (bundled to dist/electron/main.js). It owns the window, the IPC and the app's life;
 * the kiosk itself (terminal runtime, NFC, hub finder) is `startKioskProcess`, exactly as the browser kiosk runs it.
 */
import path from 'node:path';
import { app, dialog, ipcMain, powerSaveBlocker, type BrowserWindow } from 'electron';
import { startKioskProcess, type KioskProcess } from '../kiosk/kiosk-process.ts';
import { createLogger } from '../runtime/log.ts';
import { registerAppScheme, serveAppFiles } from './app-protocol.main.ts';
import { wireKioskIpc } from './ipc.main.ts';
import { createKioskWindow } from './kiosk-window.main.ts';

const log = createLogger('kiosk');
const shellLog = log.child({ part: 'electron' });

// Same switches as the browser kiosk (`npm run kiosk -- --no-nfc`), plus --windowed for a developer's desktop.
const flags = {
  nfc: !app.commandLine.hasSwitch('no-nfc'),
  discovery: !app.commandLine.hasSwitch('no-mdns'),
  windowed: app.commandLine.hasSwitch('windowed'),
};

// One data folder whether the app runs packaged or from the repo (where its name would be "@tapline/desktop");
// TAPLINE_KIOSK_DATA_DIR, as for the browser kiosk, puts it elsewhere.
const dataDirOverride = process.env.TAPLINE_KIOSK_DATA_DIR;
app.setPath('userData', dataDirOverride ? path.resolve(dataDirOverride) : path.join(app.getPath('appData'), 'Tapline Kiosk'));

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  // A second kiosk on the same data dir would fight the first over the SQLite file and the NFC reader.
  shellLog.warn('the kiosk is already running; this copy quits');
  app.quit();
} else {
  run();
}

function run(): void {
  let kiosk: KioskProcess | null = null;
  let window: BrowserWindow | null = null;
  let unwireIpc: (() => void) | null = null;
  let blocker: number | null = null;
  let closing: Promise<void> | null = null;

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  const openWindow = (k: KioskProcess): void => {
    // dist/electron/ and dist/renderer/ sit under the app's root, both in the repo and inside the packaged app.
    const appRoot = app.getAppPath();
    const win = createKioskWindow({ preloadPath: path.join(appRoot, 'dist', 'electron', 'preload.cjs'), log: shellLog, windowed: flags.windowed });
    unwireIpc = wireKioskIpc({ ipcMain, contents: win.webContents, service: k.service, log: shellLog });
    win.on('closed', () => {
      unwireIpc?.();
      unwireIpc = null;
      window = null;
    });
    window = win;
  };

  app
    .whenReady()
    .then(() => {
      serveAppFiles(path.join(app.getAppPath(), 'dist', 'renderer'));
      kiosk = startKioskProcess({ dataDir: app.getPath('userData'), logger: log, nfc: flags.nfc, discovery: flags.discovery });
      // The screen must stay lit at the bar: no display sleep, no screensaver.
      blocker = powerSaveBlocker.start('prevent-display-sleep');
      openWindow(kiosk);
      shellLog.info({ dataDir: app.getPath('userData'), ...flags }, 'kiosk started');
    })
    .catch((err: unknown) => {
      shellLog.fatal({ err }, 'the kiosk could not start');
      const reason = err instanceof Error ? err.message : String(err);
      dialog.showErrorBox('Tapline Kiosk could not start', `${reason}\n\nRestart the kiosk. If this keeps happening, call the venue tech.`);
      app.exit(1);
    });

  app.on('window-all-closed', () => app.quit());

  // Quitting waits for the kiosk process to close: the SQLite file is closed cleanly and the reader released.
  app.on('before-quit', (event) => {
    if (!kiosk) return;
    event.preventDefault();
    closing ??= shutdown();
  });

  async function shutdown(): Promise<void> {
    unwireIpc?.();
    unwireIpc = null;
    if (blocker !== null && powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
    const k = kiosk;
    try {
      await k?.close();
      shellLog.info('kiosk closed');
    } catch (err) {
      shellLog.error({ err }, 'the kiosk did not close cleanly');
    } finally {
      kiosk = null;
      app.quit();
    }
  }
}
