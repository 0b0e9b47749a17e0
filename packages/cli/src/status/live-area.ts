import type { LiveArea } from '../log/logger.js';

export interface TerminalStream {
  write(text: string): unknown;
  /** The terminal's width (undefined when unknown). */
  readonly columns?: number | undefined;
}

const ESC = '\x1b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_TO_END = `${ESC}J`;

/**
 * A block of lines at the bottom of a terminal, redrawn in place: the cursor goes back up over the
 * previous frame, which is cleared, and the new frame is written in one write (so it does not
 * flicker). Lines are cut to the terminal's width, since a wrapped line would throw the count off.
 */
export class TerminalLiveArea implements LiveArea {
  private lines: string[] = [];
  private drawn = 0;
  private cursorHidden = false;
  private readonly showCursorAtExit = () => this.stream.write(SHOW_CURSOR);

  constructor(private readonly stream: TerminalStream) {}

  render(lines: readonly string[]): void {
    this.lines = [...lines];
    if (!this.cursorHidden) {
      this.cursorHidden = true;
      process.once('exit', this.showCursorAtExit);
      this.stream.write(HIDE_CURSOR);
    }
    this.stream.write(this.erase() + this.frame());
  }

  clear(): void {
    if (this.drawn === 0) return;
    this.stream.write(this.erase());
  }

  redraw(): void {
    if (this.lines.length > 0) this.stream.write(this.frame());
  }

  /** Erases the area for good and gives the cursor back. */
  close(): void {
    this.clear();
    this.lines = [];
    if (this.cursorHidden) {
      this.stream.write(SHOW_CURSOR);
      process.off('exit', this.showCursorAtExit);
      this.cursorHidden = false;
    }
  }

  private erase(): string {
    const up = this.drawn;
    this.drawn = 0;
    return up === 0 ? '' : `\r${ESC}${up}A${CLEAR_TO_END}`;
  }

  private frame(): string {
    // A pseudo-terminal nobody sized reports 0 columns: assume the classic 80.
    const columns = this.stream.columns || 80;
    const width = Math.max(20, columns - 1);
    this.drawn = this.lines.length;
    return this.lines.map((line) => `${fit(line, width)}\n`).join('');
  }
}

/** Cuts a line to `width` characters (code points), marking the cut. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}
