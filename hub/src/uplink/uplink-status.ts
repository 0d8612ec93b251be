import { EventEmitter } from 'node:events';
import type { UplinkState } from '@tapline/shared';

type Channel = 'push' | 'pull';

export interface UplinkSnapshot {
  state: UplinkState;
  lastError: string | null;
  /** Last time any request to the cloud succeeded. */
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** Last time the cloud acknowledged a batch of orders. */
  lastUploadAt: string | null;
}

/**
 * What the hub knows about its link to the cloud, from the uploader and the config puller.
 * Offline as soon as either's last request failed: a green light while orders cannot leave would lie.
 * Emits 'change' when the state or the last upload time changes.
 */
export class UplinkStatus extends EventEmitter<{ change: [] }> {
  private readonly ok: Record<Channel, boolean | null> = { push: null, pull: null };
  private lastError: string | null = null;
  private lastSuccessAt: Date | null = null;
  private lastAttemptAt: Date | null = null;
  private lastUploadAt: Date | null = null;

  get state(): UplinkState {
    if (this.ok.push === false || this.ok.pull === false) return 'offline';
    if (this.ok.push || this.ok.pull) return 'online';
    return 'unknown';
  }

  attempt(): void {
    this.lastAttemptAt = new Date();
  }

  success(channel: Channel, uploaded = false): void {
    const before = this.state;
    this.ok[channel] = true;
    this.lastSuccessAt = new Date();
    if (uploaded) this.lastUploadAt = this.lastSuccessAt;
    if (this.state === 'online') this.lastError = null;
    if (uploaded || before !== this.state) this.emit('change');
  }

  failure(channel: Channel, error: unknown): void {
    const before = this.state;
    this.ok[channel] = false;
    this.lastError = error instanceof Error ? error.message : String(error);
    if (before !== this.state) this.emit('change');
  }

  snapshot(): UplinkSnapshot {
    return {
      state: this.state,
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt?.toISOString() ?? null,
      lastAttemptAt: this.lastAttemptAt?.toISOString() ?? null,
      lastUploadAt: this.lastUploadAt?.toISOString() ?? null,
    };
  }
}
