import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium'];

export function findChromium(explicit?: string): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * System Chromium as the kiosk's window: full screen, no browser UI, no swipe navigation or pinch zoom, nothing that
 * phones home. Its profile lives beside the terminal's data so a kiosk keeps no state elsewhere.
 */
export function launchKioskWindow(executable: string, url: string, profileDir: string): ChildProcess {
  mkdirSync(profileDir, { recursive: true });
  const args = [
    '--kiosk',
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--noerrdialogs',
    '--disable-infobars',
    '--disable-translate',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--check-for-update-interval=31536000',
  ];
  // Chromium refuses to start as root without this; kiosks run as a normal user, CI and containers as root.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return spawn(executable, args, { stdio: 'ignore' });
}
