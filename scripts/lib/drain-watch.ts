/**
 * Waiting for a venue to drain by its progress, not by a fixed deadline: a backlog of 100,000 orders on the embedded
 * PGlite cloud may rightly take many minutes, while a venue where nothing has moved for minutes will not finish.
 */

/** How fast a running total grows, over a sliding window, and when a remainder will be done at that pace. */
export class RateMeter {
  private samples: Array<{ at: number; total: number }> = [];

  constructor(private readonly windowMs = 30_000, private readonly now: () => number = Date.now) {}

  record(total: number): void {
    const at = this.now();
    this.samples.push({ at, total });
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Per second across the samples in the window; null until two samples a second apart. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 1000) return null;
    return Math.max(0, (last.total - first.total) / ((last.at - first.at) / 1000));
  }

  /** Seconds until `remaining` is done at the current rate; null when nothing is moving. */
  etaSeconds(remaining: number): number | null {
    if (remaining <= 0) return 0;
    const r = this.perSecond();
    return r ? remaining / r : null;
  }
}

export interface DrainWatchOptions {
  /** Fail when none of the counters has grown for this long. */
  stallMs: number;
  /** Fail after this long whatever the progress: a run must end. */
  capMs: number;
  now?: () => number;
}

export class DrainStalled extends Error {
  override readonly name = 'DrainStalled';
}

/**
 * Counters that only grow while the venue drains (orders sold, acked by the hub, uploaded to the cloud, tabs right):
 * any of them growing is progress. The wait fails only when nothing grew for `stallMs`, or at the cap.
 */
export class DrainWatch {
  private readonly best = new Map<string, number>();
  private readonly now: () => number;
  readonly startedAt: number;
  lastProgressAt: number;

  constructor(private readonly o: DrainWatchOptions) {
    this.now = o.now ?? Date.now;
    this.startedAt = this.now();
    this.lastProgressAt = this.startedAt;
  }

  /** Counters read now; an undefined one (a figure that could not be read) is skipped, neither progress nor not. */
  observe(counters: Record<string, number | undefined>): void {
    for (const [key, value] of Object.entries(counters)) {
      if (value === undefined) continue;
      const best = this.best.get(key);
      if (best === undefined || value > best) {
        if (best !== undefined) this.lastProgressAt = this.now();
        this.best.set(key, value);
      }
    }
  }

  stalledMs(): number {
    return this.now() - this.lastProgressAt;
  }

  /** Throws DrainStalled when the wait must end without the venue drained. */
  check(what: string): void {
    const now = this.now();
    if (now - this.lastProgressAt > this.o.stallMs) {
      throw new DrainStalled(`nothing moved for ${Math.round((now - this.lastProgressAt) / 1000)} s while waiting for ${what}`);
    }
    if (now - this.startedAt > this.o.capMs) {
      throw new DrainStalled(`still waiting for ${what} after ${Math.round((now - this.startedAt) / 1000)} s (the cap, --drain-timeout)`);
    }
  }

  /**
   * Until `done()` answers true: the counters are observed, then `done` asked, then the stall and the cap checked,
   * then a pause of `intervalMs`, or of `maxDuty`'s share for a slow `done` (a round of reads from a busy cloud that
   * took 3 s waits 27 s at 0.1), so the checking never takes most of the time of what it waits for.
   */
  async until(
    what: string,
    counters: () => Record<string, number | undefined>,
    done: () => boolean | Promise<boolean>,
    o: { intervalMs?: number; maxDuty?: number } = {},
  ): Promise<void> {
    const intervalMs = o.intervalMs ?? 1000;
    for (;;) {
      this.observe(counters());
      const t0 = this.now();
      if (await done()) return;
      const tookMs = this.now() - t0;
      this.observe(counters());
      this.check(what);
      await new Promise((r) => setTimeout(r, o.maxDuty ? Math.max(intervalMs, (tookMs * (1 - o.maxDuty)) / o.maxDuty) : intervalMs));
    }
  }
}
