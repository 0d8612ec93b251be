import { z } from 'zod';

/** NFC UIDs are 4, 7 or 10 bytes. Readers print them with colons, spaces or lowercase; we keep bare uppercase hex. */
export const UID_BYTES = [4, 7, 10] as const;

export function normalizeBandUid(input: string): string | null {
  const hex = input.replace(/[\s:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) return null;
  return (UID_BYTES as readonly number[]).includes(hex.length / 2) ? hex : null;
}

export const BandUid = z
  .string()
  .refine((s) => normalizeBandUid(s) === s, 'a wristband UID: 8, 14 or 20 uppercase hex digits');
