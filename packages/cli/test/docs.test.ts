import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandLineProblems, runQuickCommands } from './docs/check-commands.js';
import { docCommands } from './docs/commands.js';
import { brokenLinks } from './docs/links.js';
import { codeBlocks } from './docs/markdown.js';
import { typeErrors } from './docs/typecheck.js';
import { assertBuilt, ROOT, useTempDir } from './helpers.js';

// The docs cannot lie: the command lines they show are ones the CLI accepts (and the quick ones
// run and exit as shown), their TypeScript typechecks against the built packages, and their links
// lead somewhere. The checkers themselves are tested on a bad page in docs-checker.test.ts.

beforeAll(assertBuilt);
const dir = useTempDir();

const markdownIn = (folder: string) =>
  readdirSync(join(ROOT, folder))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, folder, name));
const PAGES = [join(ROOT, 'README.md'), ...markdownIn('docs')];
const blocks = PAGES.flatMap((file) => codeBlocks(file, readFileSync(file, 'utf8')));
const commands = docCommands(blocks);

describe('README.md and docs/*.md', () => {
  it('show statecraft command lines in shell blocks, and TypeScript programs', () => {
    expect(PAGES.length).toBeGreaterThanOrEqual(10);
    expect(commands.length).toBeGreaterThanOrEqual(15);
    expect(blocks.filter((block) => block.lang === 'ts' && !block.notAProgram).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('write every statecraft command line so that the CLI parses it', async () => {
    expect(await commandLineProblems(ROOT, commands)).toEqual([]);
  });

  it('show quick commands that run and exit as they say, page by page in order', async () => {
    let ran = 0;
    for (const page of PAGES) {
      const cwd = join(dir(), `run-${ran}-${page.split('/').pop()}`);
      await mkdir(cwd);
      symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
      const result = await runQuickCommands(
        ROOT,
        commands.filter((command) => command.file === page),
        cwd,
      );
      expect(result.problems).toEqual([]);
      ran += result.ran.length;
    }
    expect(ran).toBeGreaterThanOrEqual(8);
  }, 300_000);

  it('show TypeScript that typechecks against the built packages', async () => {
    const scratch = join(ROOT, 'packages/cli', `.docs-typecheck-${process.pid}`);
    expect(await typeErrors(ROOT, blocks, scratch)).toEqual([]);
  }, 120_000);

  it('link to files and headings that exist (the packages and examples READMEs too)', () => {
    const readmes = ['engine', 'fsm', 'kafka', 'cli'].map((name) =>
      join(ROOT, 'packages', name, 'README.md'),
    );
    expect(brokenLinks(ROOT, [...PAGES, ...readmes, join(ROOT, 'examples/README.md')])).toEqual([]);
  });
});
