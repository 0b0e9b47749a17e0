import { count } from '../status/format.js';

/**
 * Progress on stderr: on a terminal one line rewritten in place, elsewhere (a log, a pipe) a line
 * every few seconds; then the final line. Quiet prints nothing but errors.
 */
export class ProgressLine {
  private lastAt = performance.now();
  private readonly started = performance.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly quiet: boolean,
    private readonly total: number,
  ) {}

  update(done: number): void {
    if (this.quiet) return;
    const now = performance.now();
    if (now - this.lastAt < (this.tty ? 200 : 5000)) return;
    this.lastAt = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const percent = this.total > 0 ? ` (${Math.floor((done * 100) / this.total)}%)` : '';
    const line = `produced ${count(done)} of ${count(this.total)} events${percent}, ${count(rate)} events/s`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  done(line: string): void {
    if (this.quiet) return;
    process.stderr.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
