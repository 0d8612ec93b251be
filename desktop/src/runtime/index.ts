export { openTerminal, Terminal } from './terminal.ts';
export type { Catalog, OpenTerminalOptions, SenderTuning, TerminalEvents, TerminalStatus } from './terminal.ts';
export type { AckOutcome, SellInput, SellResult, StoredOrder, VoidInput, VoidResult } from './order-store.ts';
export type { PairingResult } from './pairing.ts';
export { TerminalError, type TerminalErrorCode } from './errors.ts';
