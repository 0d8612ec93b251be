/** Progress on stderr: one line rewritten in place on a terminal, a line every few seconds in a log. */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLine = 0;
  private pending = '';

  constructor(private readonly logEveryMs = 10_000) {}

  update(text: string): void {
    if (this.tty) {
      // Wider than the window, the line would wrap and every rewrite would leave a copy above it.
      const width = process.stderr.columns || 120;
      const line = text.length >= width ? `${text.slice(0, width - 2)}…` : text;
      process.stderr.write(`\r\x1b[2K${line}`);
      this.pending = line;
    } else if (Date.now() - this.lastLine >= this.logEveryMs) {
      process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
      this.lastLine = Date.now();
    }
  }

  note(text: string): void {
    if (this.tty && this.pending) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${this.tty ? '\x1b[2m' : ''}${new Date().toISOString().slice(11, 19)}${this.tty ? '\x1b[0m' : ''} ${text}\n`);
    if (this.tty && this.pending) process.stderr.write(this.pending);
  }

  done(): void {
    if (this.tty && this.pending) process.stderr.write('\n');
    this.pending = '';
  }
}
