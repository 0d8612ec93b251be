/**
 * A figure read from a live process (the cloud's order count, the hub's queue) for a progress line that must never
 * lie: one read at a time, each cut off after a timeout, and the time of the last good read kept, so a figure that
 * could not be refreshed shows its age instead of passing for current.
 */
export interface LiveFigureOptions {
  /** A new read starts at most this often. */
  everyMs: number;
  /** A read that has not answered by then is abandoned (its signal aborted) and counts as failed. */
  timeoutMs: number;
  /**
   * The most of the reader's time these reads may take (0.1: a read that took 800 ms waits 8 s for the next). The
   * cloud's count is an aggregate over every order: on a 100,000-order PGlite it takes up to a second of the same
   * single process that ingests, so it is read less often as it grows.
   */
  maxDuty?: number;
  /** Older than this, the figure is shown with its age; by default, older than the latest scheduled read (+1 s). */
  staleAfterMs?: number;
  now?: () => number;
}

export class LiveFigure<T> {
  value: T | undefined;
  /** When the value was read; null before the first good read. */
  at: number | null = null;
  lastError: string | null = null;
  private inFlight: Promise<T | undefined> | null = null;
  private lastStart = Number.NEGATIVE_INFINITY;
  private lastDurationMs = 0;
  private readonly now: () => number;

  constructor(
    private readonly read: (signal: AbortSignal) => Promise<T>,
    private readonly o: LiveFigureOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** The time between reads: `everyMs`, or longer for slow reads under `maxDuty`. */
  get gapMs(): number {
    return this.o.maxDuty ? Math.max(this.o.everyMs, this.lastDurationMs / this.o.maxDuty) : this.o.everyMs;
  }

  /** Starts a read if none is running and the last one started a gap ago or more; never waits for it. */
  poll(): void {
    if (!this.inFlight && this.now() - this.lastStart >= this.gapMs) void this.refresh();
  }

  /** Reads now (or joins the read already running) and resolves with the value, the old one if the read failed. */
  refresh(): Promise<T | undefined> {
    if (this.inFlight) return this.inFlight;
    const start = (this.lastStart = this.now());
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no answer within ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
    });
    // The race, not only the signal: a reader that ignores its signal must not hold the figure hostage either.
    this.inFlight = Promise.race([this.read(abort.signal), timedOut])
      .then(
        (v) => {
          this.value = v;
          this.at = this.now();
          this.lastError = null;
          return v;
        },
        (err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
          return this.value;
        },
      )
      .finally(() => {
        this.lastDurationMs = this.now() - start;
        clearTimeout(timer);
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Milliseconds since the last good read; null if there never was one. */
  age(): number | null {
    return this.at === null ? null : this.now() - this.at;
  }

  get fresh(): boolean {
    const age = this.age();
    return age !== null && age <= (this.o.staleAfterMs ?? this.gapMs + 1000);
  }

  /** The value as `format` writes it, with its age when stale ("41,200 (12 s ago)"), or "?" before any answer. */
  text(format: (v: T) => string): string {
    if (this.value === undefined) return '?';
    return this.fresh ? format(this.value) : `${format(this.value)} (${formatDuration(this.age()! / 1000)} ago)`;
  }
}

/** 9 s, 4 min 05 s, 1 h 02 min: short enough for a progress line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** 41,200: thousands separated whatever the machine's locale. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
