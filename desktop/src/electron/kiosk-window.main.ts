import { BrowserWindow, Menu } from 'electron';
import type { Logger } from 'pino';
import { APP_START_URL, isAppUrl } from './app-origin.ts';

export interface KioskWindowOptions {
  preloadPath: string;
  log: Logger;
  /** A normal window for a developer; a kiosk always runs full screen. */
  windowed?: boolean;
}

/** Chromium features a till has no use for; each is one less way for a page to reach the machine. */
const NO_PERMISSIONS = () => false;

/**
 * The bartender's window: full screen and locked down. The screens reach the kiosk only through the preload's
 * KioskBridge; they can neither open windows nor navigate away from our own files.
 */
export function createKioskWindow({ preloadPath, log, windowed = false }: KioskWindowOptions): BrowserWindow {
  // No menu bar and no menu accelerators (Ctrl+R, Ctrl+Shift+I, ...) on a public screen.
  Menu.setApplicationMenu(null);

  const win = new BrowserWindow({
    kiosk: !windowed,
    fullscreen: !windowed,
    width: 1280,
    height: 800,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    show: false,
    title: 'Tapline',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      devTools: windowed,
    },
  });

  const contents = win.webContents;
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(NO_PERMISSIONS);

  contents.setWindowOpenHandler(({ url }) => {
    log.warn({ url }, 'the kiosk screens tried to open a window; refused');
    return { action: 'deny' };
  });
  const stayOnApp = (event: { preventDefault(): void; url: string }) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log.warn({ url: event.url }, 'the kiosk screens tried to leave the app; refused');
  };
  contents.on('will-frame-navigate', stayOnApp);
  contents.on('will-redirect', stayOnApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());

  // A crashed or killed screen process comes back by itself: nobody at the bar can restart it.
  contents.on('render-process-gone', (_event, details) => {
    log.error({ reason: details.reason, exitCode: details.exitCode }, 'the kiosk screens crashed; reloading');
    if (!win.isDestroyed()) void win.loadURL(APP_START_URL);
  });

  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_START_URL).catch((err: unknown) => log.error({ err }, 'could not load the kiosk screens'));
  return win;
}
