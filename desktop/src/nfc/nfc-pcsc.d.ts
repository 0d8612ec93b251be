// nfc-pcsc 0.8 ships no types. These cover what band-reader.ts uses, as the library's source (dist/NFC.js,
// dist/Reader.js) and @pokusew/pcsclite (lib/pcsclite.js) really behave.
declare module 'nfc-pcsc' {
  import { EventEmitter } from 'node:events';

  export interface NfcLogger {
    log(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  }

  export const TAG_ISO_14443_3: 'TAG_ISO_14443_3';
  export const TAG_ISO_14443_4: 'TAG_ISO_14443_4';

  export interface Card {
    atr?: Buffer;
    standard?: typeof TAG_ISO_14443_3 | typeof TAG_ISO_14443_4;
    type?: string;
    /** Lowercase hex, from GET DATA (FF CA 00 00 00); set for ISO 14443-3 tags when autoProcessing is on. */
    uid?: string;
    /** The SELECT response of an ISO 14443-4 tag (only with an AID set). */
    data?: Buffer;
  }

  export interface PcscReaderStatus {
    state: number;
    atr?: Buffer;
  }

  /** The @pokusew/pcsclite CardReader under an nfc-pcsc Reader: one status thread per reader. */
  export interface PcscCardReader extends EventEmitter<{ status: [PcscReaderStatus]; error: [Error]; end: [] }> {
    readonly name: string;
    readonly SCARD_STATE_EMPTY: number;
    readonly SCARD_STATE_PRESENT: number;
    /** Stops the status thread (blocks until it has); 'end' follows. */
    close(): void;
  }

  export class Reader extends EventEmitter<{ card: [Card]; 'card.off': [Card]; error: [Error]; end: [] }> {
    readonly name: string;
    readonly reader: PcscCardReader;
    autoProcessing: boolean;
    card: Card | null;
  }

  /**
   * Its constructor establishes a PC/SC context synchronously and, when pcscd is absent, loops on it without end
   * (blocking the event loop): check that pcscd answers first. 'error' means the reader-listing thread has stopped
   * for good (e.g. pcscd died); a new NFC is needed to recover.
   */
  export class NFC extends EventEmitter<{ reader: [Reader]; error: [Error] }> {
    constructor(logger?: NfcLogger);
    /** Name → the pcsclite CardReader, for the readers currently listed. */
    readonly readers: Record<string, PcscCardReader>;
    /** Stops the reader-listing thread only; each CardReader must be closed on its own. */
    close(): void;
  }

  export class BaseError extends Error {
    code: string | null;
    previous?: Error;
  }
}
