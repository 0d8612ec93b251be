import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/*
 * TOTP (RFC 6238) as every authenticator app does it: SHA-1, 6 digits, 30 s. A code is accepted one step either side
 * of now (clock drift of the phone), and each step only once per user (`users.totp_last_step`).
 */

export const TOTP_ISSUER = 'Tapline';
const PERIOD = 30;

function totp(secret: string, email: string): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label: email, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** 160 random bits, base32 (what authenticator apps type in by hand). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/** The otpauth URI as an SVG QR code, ready for an `<img src>` data URL. */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#111827', light: '#ffffff' } });
}

/** The current code; the demo and the tests use it, a person reads it from their app. */
export function totpCode(secret: string, now: Date = new Date()): string {
  return totp(secret, '').generate({ timestamp: now.getTime() });
}

/**
 * The time step the code belongs to, or null when it is wrong, malformed, or a step at or before `lastStep` (replay).
 */
export function verifyTotp(secret: string, code: string, lastStep: number | null, now: Date = new Date()): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secret, '').validate({ token, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now.getTime() / 1000 / PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}
