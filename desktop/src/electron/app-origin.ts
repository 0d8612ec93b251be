/**
 * Where the kiosk's screens live inside Electron: a privileged custom scheme rather than file://, so the page has a
 * real origin (CSP 'self' means exactly our files), gets a CSP header, and no other local file is reachable from it.
 * No Electron import here: the IPC sender check and the tests use it too.
 */
export const APP_SCHEME = 'tapline';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/**
 * The header every screen file is served with. Stricter than the page's own meta tag where Electron allows it: the
 * screens talk to the kiosk process over IPC, never over the network. Inline style attributes stay allowed because
 * the screens set them (the browser kiosk's server allows them too).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Whether a URL is one of our screens (anything else must not navigate the window nor call the kiosk). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}
