import { z } from 'zod';
import { Id } from '../ids.ts';
import { PROTOCOL_VERSION } from './version.ts';

/**
 * Hub discovery on the venue LAN, over mDNS / DNS-SD, so a new terminal finds the hub without anyone typing an address.
 *
 * The hub publishes `_tapline-hub._tcp.local` on its HTTP port (the one terminals pair and connect to) with the TXT
 * record below. A terminal browses for that type, keeps the hubs whose TXT parses and whose `v` it speaks, and pairs
 * with the code the hub shows. An address typed by hand still works: discovery only fills it in.
 */
export const HUB_SERVICE_TYPE = 'tapline-hub';
export const HUB_SERVICE_PROTOCOL = 'tcp' as const;

/** A DNS TXT string is at most 255 bytes; 60 characters of UTF-8 (4 bytes at most each) plus `name=` always fit. */
export const MAX_ADVERTISED_NAME = 60;

/**
 * The TXT record as it arrives. Every TXT value is a string on the wire, so `v` is a decimal string here and a number
 * after parsing; a hub speaking another version still parses, so the finder can say why it ignores it.
 */
export const HubTxt = z.object({
  v: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, 'a protocol version number')
    .transform(Number),
  hubId: Id,
  name: z.string().trim().min(1).max(255),
});
export type HubTxt = z.output<typeof HubTxt>;

/** What a hub puts in its TXT record. Long names are cut so the record stays valid DNS. */
export function hubTxtRecord(hubId: string, name: string): Record<'v' | 'hubId' | 'name', string> {
  const shown = Array.from(name.trim()).slice(0, MAX_ADVERTISED_NAME).join('') || hubId;
  return { v: String(PROTOCOL_VERSION), hubId, name: shown };
}
