export { openTerminal, Terminal } from './terminal.ts';
export type { Catalog, OpenTerminalOptions, RevokedStanding, SenderTuning, TerminalEvents, TerminalStatus } from './terminal.ts';
export type { AckOutcome, SellInput, SellResult, StoredOrder, VoidInput, VoidResult } from './order-store.ts';
export type { PairingResult } from './pairing.ts';
export { TerminalError, type TerminalErrorCode } from './errors.ts';
export type { BlockInput, DeskBand, DeskSearchResult, PairInput, RegistrationDesk, SignUpInput } from './registration-desk.ts';
