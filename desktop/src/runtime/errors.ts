/** Why a call into the runtime was refused; `code` is for programs, `message` is a sentence for people. */
export type TerminalErrorCode =
  | 'not_paired'
  | 'not_configured'
  | 'invalid_input'
  | 'unknown_station'
  | 'unknown_product'
  | 'unknown_order'
  | 'unknown_supervisor'
  | 'already_voided'
  | 'bad_pairing_code'
  | 'hub_unreachable'
  | 'pairing_failed'
  | 'pending_orders'
  // Head office switched this terminal off: it makes no fact until a handshake with the hub succeeds again.
  | 'revoked'
  // Registration desk (see registration-desk.ts).
  | 'band_blocked'
  | 'band_taken'
  | 'unknown_attendee'
  | 'replaced_band_not_blocked';

export class TerminalError extends Error {
  constructor(
    readonly code: TerminalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}
