/** Orders the cloud acknowledged over a sliding window, for the status page's rate and ETA. */
export class DrainMeter {
  private samples: Array<{ at: number; count: number }> = [];
  private peakBacklog = 0;

  constructor(private readonly windowMs = 30_000, private readonly now: () => number = Date.now) {}

  record(count: number): void {
    this.samples.push({ at: this.now(), count });
    this.prune();
  }

  /** Orders per second over the window; the window shrinks to the samples' span while a drain is young. */
  rate(): number {
    this.prune();
    const first = this.samples[0];
    if (!first) return 0;
    const total = this.samples.reduce((sum, s) => sum + s.count, 0);
    const spanMs = Math.min(this.windowMs, Math.max(1000, this.now() - first.at));
    return total / (spanMs / 1000);
  }

  /** Seconds until `backlog` is drained at the current rate; null when nothing is draining. */
  etaSeconds(backlog: number): number | null {
    if (backlog === 0) return 0;
    const r = this.rate();
    return r > 0 ? Math.ceil(backlog / r) : null;
  }

  /** Tracks the backlog's high-water mark since the queue was last empty: where a progress bar starts. */
  observeBacklog(backlog: number): void {
    this.peakBacklog = backlog === 0 ? 0 : Math.max(this.peakBacklog, backlog);
  }

  get peak(): number {
    return this.peakBacklog;
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs;
    while (this.samples.length && this.samples[0]!.at < cutoff) this.samples.shift();
  }
}
