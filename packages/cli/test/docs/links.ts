import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { anchors, links } from './markdown.js';

/**
 * Checks the relative links of markdown files: each must name a file or folder that exists, and
 * an anchor (`page.md#section`, `#section`) must be a heading of that page. Returns one line per
 * broken link, `file:line: why`, paths relative to `root`.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const problems: string[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const pageAnchors = (path: string) => {
    let found = anchorsOf.get(path);
    if (!found) {
      found = anchors(readFileSync(path, 'utf8'));
      anchorsOf.set(path, found);
    }
    return found;
  };
  for (const file of files) {
    for (const link of links(file, readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto: ...
      const [path = '', anchor] = link.target.split('#', 2);
      const target = path === '' ? file : resolve(dirname(file), decodeURI(path));
      const where = `${relative(root, file)}:${link.line}`;
      if (!existsSync(target)) {
        problems.push(`${where}: ${link.target}: no such file`);
      } else if (anchor !== undefined) {
        if (statSync(target).isDirectory() || !target.endsWith('.md')) {
          problems.push(`${where}: ${link.target}: an anchor into something that is not a markdown page`);
        } else if (!pageAnchors(target).has(anchor)) {
          problems.push(`${where}: ${link.target}: no heading with the anchor #${anchor}`);
        }
      }
    }
  }
  return problems;
}
