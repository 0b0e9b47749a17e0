/** A fenced code block of a markdown file. */
export interface CodeBlock {
  file: string;
  /** The info string after the opening fence (`sh`, `ts`, or '' for none). */
  lang: string;
  /** 1-based line of the first line inside the fence. */
  line: number;
  text: string;
  /** Whether `<!-- not-a-program -->` stands just before the fence (blank lines allowed between). */
  notAProgram: boolean;
}

export interface MarkdownLink {
  file: string;
  line: number;
  target: string;
}

export const NOT_A_PROGRAM = '<!-- not-a-program -->';

/** The fenced code blocks of a markdown text, in order. */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    blocks.push({
      file,
      lang: open[1]!,
      line: start + 1,
      text: lines.slice(start, end).join('\n'),
      notAProgram: before >= 0 && lines[before]!.trim() === NOT_A_PROGRAM,
    });
    i = end;
  }
  return blocks;
}

/** Each line of the text with fenced code blocks and inline code blanked out, so that only prose is left. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
  });
}

/** The targets of the inline links and images of a markdown text (outside code). */
export function links(file: string, markdown: string): MarkdownLink[] {
  const found: MarkdownLink[] = [];
  proseLines(markdown).forEach((line, index) => {
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      found.push({ file, line: index + 1, target: match[1]! });
    }
  });
  return found;
}

/** The anchors GitHub gives the headings of a markdown text (github-slugger's rule). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}
