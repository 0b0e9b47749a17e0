import type { CodeBlock } from './markdown.js';

/** A `statecraft` command line found in a shell code block. */
export interface DocCommand {
  file: string;
  /** 1-based line where the command starts. */
  line: number;
  /** The arguments after `statecraft`, unquoted as the shell would. */
  args: string[];
  /** The exit code a trailing `# exit N` comment promises; 0 without one. */
  expectedExit: number;
  /** The file the shell redirects stdout to (`> a.txt`), if any. */
  stdoutTo?: string;
  /** Whether an argument holds a shell expansion (`$BROKERS`), so its real value is unknown here. */
  expands: boolean;
}

// `statecraft`, `pnpm statecraft`, `pnpm --silent statecraft`, `node packages/cli/dist[/bundle]/bin.js`.
const LAUNCHERS = [
  ['statecraft'],
  ['pnpm', 'statecraft'],
  ['pnpm', '--silent', 'statecraft'],
  ['pnpm', '-s', 'statecraft'],
  ['node', 'packages/cli/dist/bin.js'],
  ['node', 'packages/cli/dist/bundle/bin.js'],
];

interface Word {
  text: string;
  quoted: boolean;
  operator: boolean;
}

/** Splits one shell command line into words and operators; `#` starts a comment outside quotes. */
function words(line: string): { words: Word[]; comment: string } {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') return { words: out, comment: line.slice(i + 1).trim() };
    const operator = /^(2>&1|2>|>>|\|\||&&|[|;&><])/.exec(line.slice(i));
    if (operator) {
      out.push({ text: operator[1]!, quoted: false, operator: true });
      i += operator[1]!.length;
      continue;
    }
    let text = '';
    let quoted = false;
    while (i < line.length && !/[\s|;&><]/.test(line[i]!)) {
      const q = line[i]!;
      if (q === "'" || q === '"') {
        const close = line.indexOf(q, i + 1);
        text += line.slice(i + 1, close === -1 ? line.length : close);
        quoted = true;
        i = close === -1 ? line.length : close + 1;
      } else if (q === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += q;
        i++;
      }
    }
    out.push({ text, quoted, operator: false });
  }
  return { words: out, comment: '' };
}

/** The logical lines of a shell block (a trailing `\` continues a line), with their first line numbers. */
function logicalLines(block: CodeBlock): { line: number; text: string }[] {
  const result: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  block.text.split('\n').forEach((raw, index) => {
    const continued = /\\\s*$/.test(raw);
    const text = raw.replace(/\\\s*$/, ' ');
    if (current) current.text += ` ${text}`;
    else current = { line: block.line + index, text };
    if (!continued) {
      result.push(current);
      current = undefined;
    }
  });
  if (current) result.push(current);
  return result;
}

/** Every `statecraft` command line in the `sh` blocks given, in order. */
export function docCommands(blocks: readonly CodeBlock[]): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const block of blocks.filter((b) => b.lang === 'sh' || b.lang === 'bash')) {
    for (const { line, text } of logicalLines(block)) {
      const { words: all, comment } = words(text);
      let start = 0;
      while (start < all.length) {
        let end = start;
        while (end < all.length && !(all[end]!.operator && all[end]!.text !== '>' && all[end]!.text !== '2>'))
          end++;
        const segment = all.slice(start, end);
        const launcher = LAUNCHERS.find((l) =>
          l.every((w, k) => segment[k] !== undefined && !segment[k]!.operator && segment[k]!.text === w),
        );
        if (launcher) {
          const rest = segment.slice(launcher.length);
          const redirect = rest.findIndex((w) => w.operator);
          const args = (redirect === -1 ? rest : rest.slice(0, redirect)).map((w) => w.text);
          const target = redirect === -1 ? undefined : rest[redirect];
          const exit = /^exit (\d+)\b/.exec(comment);
          commands.push({
            file: block.file,
            line,
            args,
            expectedExit: exit ? Number(exit[1]) : 0,
            stdoutTo: target?.text === '>' ? rest[redirect + 1]?.text : undefined,
            expands: args.some((a) => a.includes('$')),
          });
        }
        start = end + 1;
      }
    }
  }
  return commands;
}
