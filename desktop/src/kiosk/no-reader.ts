import { EventEmitter } from 'node:events';
import type { ReaderView } from './api.ts';
import type { TapSource } from './kiosk-service.ts';

/** The reader of a kiosk started without NFC: it never taps, and says why on screen. */
export class NoReader extends EventEmitter implements TapSource {
  constructor(private readonly message: string) {
    super();
  }

  state(): ReaderView {
    return { status: 'no_service', readers: [], message: this.message, cardPresent: false };
  }
}
