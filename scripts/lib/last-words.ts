import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * What a process said last, from the end of its log (JSON lines: its own pino lines and the harness's): the message
 * of its last line that is not the harness's, for a supervisor that saw the process exit by itself.
 */
export function lastWords(logFile: string, tailBytes = 16_384): string | null {
  let text: string;
  try {
    const fd = openSync(logFile, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, tailBytes);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  // Lines Node printed itself (an uncaught error's stack) after the process's last log line say the most.
  const printed: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    let entry: { name?: string; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      printed.unshift(line.trim());
      continue;
    }
    if (entry.name === 'harness') continue;
    if (printed.length) break;
    if (entry.msg) return entry.err?.message && !entry.msg.includes(entry.err.message) ? `${entry.msg} (${entry.err.message})` : entry.msg;
  }
  if (!printed.length) return null;
  return (printed.find((l) => /\b\w*Error\b/.test(l)) ?? printed[0]!).slice(0, 300);
}
