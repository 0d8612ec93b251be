/**
 * Calls `fn` at most once per `intervalMs`, trailing: a burst of `trigger()`s gives one call now-ish and one at
 * the end, so the last state is always sent.
 */
export class Throttle {
  private timer: NodeJS.Timeout | null = null;
  private lastAt = 0;

  constructor(private readonly fn: () => void, private readonly intervalMs: number) {}

  trigger(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastAt = Date.now();
      this.fn();
    }, wait);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
