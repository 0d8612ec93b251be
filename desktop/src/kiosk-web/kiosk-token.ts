import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The kiosk page's secret, made once per data folder and readable by its owner only. */
export function kioskToken(dataDir: string): string {
  const file = path.join(dataDir, 'kiosk-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (/^[\w-]{32,}$/.test(token)) return token;
  } catch {
    // first start: make one below
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
