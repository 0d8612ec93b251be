import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  loadedAt: Date | null;
}

export interface PollOptions {
  /** A change reads again at once, as after an action that changed what the screen shows. */
  reload?: number;
  /** Drop the last answer when reading starts over, so another event's figures never stand in for this one's. */
  blank?: boolean;
}

/**
 * GETs `path` while the screen is open, and again `everyMs` after each answer. A failed read keeps the last answer and
 * says why (`failure` when the server gave no sentence). No path, no reads.
 */
export function usePolled<T>(path: string | null, everyMs: number, failure: string, options: PollOptions = {}): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadedAt, setLoadedAt] = useState<Date | null>(null);

  useEffect(() => {
    if (!path) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (options.blank) setData(null);
    // The next read is scheduled when this one ends, so a slow answer never stacks requests.
    const load = () =>
      api.get<T>(path).then(
        (r) => {
          if (!live) return;
          setData(r);
          setError(null);
          setLoadedAt(new Date());
          timer = setTimeout(load, everyMs);
        },
        (err: unknown) => {
          if (!live) return;
          setError(err instanceof ApiError ? err.message : failure);
          timer = setTimeout(load, everyMs);
        },
      );
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, options.reload]);

  return { data, error, loadedAt };
}
