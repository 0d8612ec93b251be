/** Promises still running, and a way to wait until there are none (for a shutdown that must not cut work off). */
export class InFlight {
  #running = new Set<Promise<unknown>>();
  #waiters: (() => void)[] = [];

  get size(): number {
    return this.#running.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const done = () => {
      this.#running.delete(work);
      if (this.#running.size === 0) for (const w of this.#waiters.splice(0)) w();
    };
    work.then(done, done);
    return work;
  }

  /** Resolves when nothing is running (at once if nothing is). */
  idle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
