import { z } from 'zod';
import { Instant, Name } from '../domain.ts';
import { text } from '../text.ts';

export { Instant };
export const Label = Name;
export const Reason = text(200);
/** 10,000 basis points are 100 %. */
export const BasisPoints = z.number().int().min(0).max(10_000);

/** An instant as milliseconds since the epoch, so instants written with other offsets compare correctly. */
export function instantMs(instant: string): number {
  return Date.parse(instant);
}
