import { z } from 'zod';

/** Bumped on any incompatible change to a wire message; every message carries it. */
export const PROTOCOL_VERSION = 1 as const;
export const ProtocolVersion = z.literal(PROTOCOL_VERSION);
