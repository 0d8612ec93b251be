/** Progress on stderr: one line rewritten in place on a terminal, a line every few seconds in a log. */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLine = 0;
  private pending = '';

  update(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${text}`);
      this.pending = text;
    } else if (Date.now() - this.lastLine > 5000) {
      process.stderr.write(`${text}\n`);
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
