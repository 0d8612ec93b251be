import { v7 as uuidv7, validate, version } from 'uuid';
import { z } from 'zod';

/** Ids of orders and other facts made on a terminal: time-ordered, made offline, unique without coordination. */
export function newId(): string {
  return uuidv7();
}

/**
 * Lower case only: PostgreSQL's uuid type gives ids back in lower case, so an upper-case id would not match itself
 * after a round trip (and `newId` never makes one).
 */
export function isUuidV7(s: string): boolean {
  return s === s.toLowerCase() && validate(s) && version(s) === 7;
}

export const UuidV7 = z.string().refine(isUuidV7, 'a UUIDv7');

/** Ids of configuration made by head office (events, products, stations): short, URL-safe. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
