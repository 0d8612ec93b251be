import { openTerminal, type SenderTuning, type Terminal } from '../../src/runtime/index.ts';
import type { FakeHub } from './fake-hub.ts';
import { silent } from './temp.ts';

export const FAST: SenderTuning = { ackTimeoutMs: 300, retryMinMs: 20, retryMaxMs: 200, reconnectDelayMs: 50, reconnectDelayMaxMs: 200 };

/** A terminal on a fresh file, paired with `hub` over real HTTP. */
export async function pairedTerminal(hub: FakeHub, dbPath: string, tuning: SenderTuning = FAST): Promise<Terminal> {
  const t = openTerminal({ dbPath, logger: silent, sender: tuning });
  await t.pair(hub.url, hub.code, 'Bar 1');
  return t;
}

/** Resolves on the next status that satisfies `pred` (at once if the current one does). */
export function statusWhere(t: Terminal, pred: (s: ReturnType<Terminal['status']>) => boolean): Promise<void> {
  if (pred(t.status())) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (s: ReturnType<Terminal['status']>) => {
      if (!pred(s)) return;
      t.off('status', on);
      resolve();
    };
    t.on('status', on);
  });
}
