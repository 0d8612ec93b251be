import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

// The one format of `Staff.pinHash`, written by the cloud and checked offline by kiosks:
// scrypt N=16384, r=8, p=1, 32-byte key, as `scrypt$<salt b64>$<hash b64>`.
const KEYLEN = 32;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;

export function hashPin(pin: string, salt: Buffer = randomBytes(16)): string {
  return `scrypt$${salt.toString('base64')}$${scryptSync(pin, salt, KEYLEN, PARAMS).toString('base64')}`;
}

export function verifyPin(pin: string, pinHash: string): boolean {
  const [scheme, saltB64, hashB64] = pinHash.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = scryptSync(pin, Buffer.from(saltB64, 'base64'), expected.length || KEYLEN, PARAMS);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
