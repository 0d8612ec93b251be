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
  | 'pending_orders';

export class TerminalError extends Error {
  constructor(
    readonly code: TerminalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}
