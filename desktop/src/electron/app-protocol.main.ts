import { protocol } from 'electron';
import { appFileResponse } from './app-files.ts';
import { APP_SCHEME } from './app-origin.ts';

/**
 * Declares `tapline://` a standard, secure scheme: a real origin for CSP 'self', a secure context, no mixed-content
 * warnings. Electron accepts this only before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
  ]);
}

/** Serves the built renderer folder on `tapline://kiosk/` (after the app is ready). */
export function serveAppFiles(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appFileResponse(rendererDir, request.url));
}
