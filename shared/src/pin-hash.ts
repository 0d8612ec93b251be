import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

// The one format of `Staff.pinHash`, written by the cloud and checked offline by kiosks:
// scrypt N=16384, r=8, p=1, 32-byte key, as `scrypt$<salt b64>$<hash b64>`.
const KEYLEN = 32;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;

export function hashPin(pin: string, salt: Buffer = randomBytes(16)): string {
  return `scrypt$${salt.toString('base64')}$${scryptSync(pin, salt, KEYLEN, PARAMS).toString('base64')}`;
}

function parse(pinHash: string): { salt: Buffer; expected: Buffer } | null {
  const [scheme, saltB64, hashB64] = pinHash.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return null;
  return { salt: Buffer.from(saltB64, 'base64'), expected: Buffer.from(hashB64, 'base64') };
}

function matches(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function verifyPin(pin: string, pinHash: string): boolean {
  const h = parse(pinHash);
  return h !== null && matches(scryptSync(pin, h.salt, h.expected.length || KEYLEN, PARAMS), h.expected);
}

/** The same check on libuv's pool, so a kiosk trying a PIN against every staff hash stays responsive. */
export async function verifyPinAsync(pin: string, pinHash: string): Promise<boolean> {
  const h = parse(pinHash);
  if (!h) return false;
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(pin, h.salt, h.expected.length || KEYLEN, PARAMS, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return matches(actual, h.expected);
}
