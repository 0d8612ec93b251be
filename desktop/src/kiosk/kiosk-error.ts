import type { KioskErrorBody, KioskErrorCode } from './api.ts';

/** A refused kiosk call: `code` for the screens' logic, `message` a sentence for the bartender. */
export class KioskError extends Error {
  constructor(
    readonly code: KioskErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KioskError';
  }

  toBody(): KioskErrorBody {
    return { code: this.code, message: this.message };
  }
}
