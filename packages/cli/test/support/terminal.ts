/**
 * Just enough of a terminal to replay what the status area writes: text, \r, \n, cursor up (ESC[nA),
 * erase to the end of the screen (ESC[J) and the cursor show/hide codes (ignored). Anything else is
 * an error, so a test notices escape codes it does not expect.
 */
const ESC = '\x1b';
/** A control sequence: ESC [ , an optional ?, a count, a command letter. */
const CSI = new RegExp(`^${ESC}\\[(\\??)(\\d*)([A-Za-z])`);

export function replay(output: string): string[] {
  const screen: string[] = [''];
  let row = 0;
  let column = 0;
  const put = (ch: string) => {
    const line = screen[row]!.padEnd(column, ' ');
    screen[row] = line.slice(0, column) + ch + line.slice(column + 1);
    column++;
  };
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === '\r') column = 0;
    else if (ch === '\n') {
      row++;
      column = 0;
      if (screen.length <= row) screen.push('');
    } else if (ch === '\x1b') {
      const match = CSI.exec(output.slice(i));
      if (match === null)
        throw new Error(`unexpected escape at ${i}: ${JSON.stringify(output.slice(i, i + 8))}`);
      const [sequence, private_, count, command] = match;
      if (private_ === '?' && count === '25' && (command === 'l' || command === 'h')) {
        // cursor hidden or shown: nothing on screen
      } else if (command === 'A') row = Math.max(0, row - Number(count || 1));
      else if (command === 'J' && count === '') {
        screen[row] = screen[row]!.slice(0, column);
        screen.length = row + 1;
      } else throw new Error(`unexpected escape sequence ${JSON.stringify(sequence)}`);
      i += sequence!.length - 1;
    } else put(ch);
  }
  if (screen.at(-1) === '') screen.pop();
  return screen;
}
