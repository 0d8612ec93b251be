import type { BandReader, ReaderState } from '../../src/nfc/band-reader.ts';

/** pcscd polls every 400 ms; far longer than any step needs, so only a broken reader reaches it. */
const DEADLINE_MS = 15_000;

/** A deadline only so that a broken reader fails the test with a sentence instead of hanging it. */
export function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** The reader's state once `pred` holds: now, or at the `state` event that makes it hold. */
export function stateWhere(reader: BandReader, pred: (s: ReaderState) => boolean, what: string): Promise<ReaderState> {
  if (pred(reader.state())) return Promise.resolve(reader.state());
  return within(
    new Promise<ReaderState>((resolve) => {
      const on = (s: ReaderState) => {
        if (!pred(s)) return;
        reader.off('state', on);
        resolve(s);
      };
      reader.on('state', on);
    }),
    what,
  );
}
