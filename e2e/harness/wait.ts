/**
 * Waits for a condition that another process makes true (a row in another process's database, a count over HTTP).
 * Within one process, await the event instead.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // the other side may be restarting; keep asking until the deadline
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
