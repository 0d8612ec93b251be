import type { KioskErrorBody } from '../kiosk/api.ts';

/** The two IPC channels between the preload and the main process; neither side hard-codes the strings. */
export const KIOSK_CALL_CHANNEL = 'kiosk:call';
export const KIOSK_EVENT_CHANNEL = 'kiosk:event';

/**
 * What `kiosk:call` answers. A refusal travels as data, not as a thrown error: Electron turns an error thrown in a
 * handler into a bare message string, and the screens need the code.
 */
export type KioskCallReply = { ok: true; result: unknown } | { ok: false; error: KioskErrorBody };
