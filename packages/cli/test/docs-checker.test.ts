import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandLineProblems, runQuickCommands } from './docs/check-commands.js';
import { docCommands } from './docs/commands.js';
import { brokenLinks } from './docs/links.js';
import { anchors, codeBlocks } from './docs/markdown.js';
import { typeErrors } from './docs/typecheck.js';
import { assertBuilt, ROOT, useTempDir } from './helpers.js';

// The checkers of docs.test.ts, on a page that lies in every way they look for: each must say so.

beforeAll(assertBuilt);
const dir = useTempDir();

const fence = '```';
const BAD_PAGE = `# A bad page

## Commands

${fence}sh
statecraft run --events 1000 --bogus-flag
pnpm statecraft run --events 1000 --format xml
statecraft run --events 1000 --workers two
statecraft run --format xml   # exit 2
pnpm --silent statecraft machine check seed | head -1
statecraft run --events 1000 \\
  --workers 4 --partitions 2
${fence}

## Code

${fence}ts
import { fromEvents } from '@statecraft/fsm';
const count: number = 'three';
${fence}

<!-- not-a-program -->

${fence}ts
createMachineJob({ ... });
${fence}

${fence}ts
import { fromEvents } from '@statecraft/engine';
import { createMachineJob } from '@statecraft/fsm';
createMachineJob({ machine: 'seed', source: fromEvents([]) });
${fence}

See [the commands](#commands), [nothing](#no-such-heading), [a lost page](missing.md) and
[the code](#code) (\`[not a link](nowhere.md)\`).
`;

const page = () => join(dir(), 'bad.md');
const blocks = () => codeBlocks(page(), BAD_PAGE);

describe('the docs checkers, on a bad page', () => {
  beforeAll(async () => {
    await writeFile(page(), BAD_PAGE);
  });

  it('find the statecraft command lines: launchers, continued lines, pipes and `# exit N`', () => {
    const commands = docCommands(blocks());
    expect(commands.map((c) => [c.line, c.args.join(' '), c.expectedExit])).toEqual([
      [6, 'run --events 1000 --bogus-flag', 0],
      [7, 'run --events 1000 --format xml', 0],
      [8, 'run --events 1000 --workers two', 0],
      [9, 'run --format xml', 2],
      [10, 'machine check seed', 0],
      [11, 'run --events 1000 --workers 4 --partitions 2', 0],
    ]);
  });

  it('refuse an unknown flag, a value outside the choices and a number that is not one, as the CLI does', async () => {
    const problems = await commandLineProblems(dir(), docCommands(blocks()));
    expect(problems).toEqual([
      expect.stringMatching(
        /^bad\.md:6: statecraft run --events 1000 --bogus-flag: exit 2: Unknown arguments?: bogus-flag/,
      ),
      expect.stringMatching(
        /^bad\.md:7: statecraft run --events 1000 --format xml: exit 2: Invalid values:.*xml/,
      ),
      'bad.md:8: statecraft run --events 1000 --workers two: not a number: --workers',
    ]);
  });

  it('run the quick commands for real and catch a wrong exit code', async () => {
    const cwd = join(dir(), 'run');
    await mkdir(cwd);
    const { ran, problems } = await runQuickCommands(dir(), docCommands(blocks()), cwd);
    expect(ran).toHaveLength(6);
    expect(problems).toEqual([
      expect.stringMatching(/^bad\.md:6: .* exit 2, not 0: statecraft: Unknown arguments?: bogus-flag/),
      expect.stringMatching(/^bad\.md:7: .* exit 2, not 0: /),
      expect.stringMatching(/^bad\.md:8: .* exit 2, not 0: statecraft: --workers must be/),
      expect.stringMatching(/^bad\.md:11: .* exit 2, not 0: statecraft: .*--workers/),
    ]);
  }, 60_000);

  it('report type errors and re-exports that are gone, at their lines in the page; skip marked fragments', async () => {
    const scratch = join(ROOT, 'packages/cli', `.docs-typecheck-${process.pid}-bad`);
    const errors = await typeErrors(dir(), blocks(), scratch);
    expect(errors).toEqual([
      expect.stringMatching(/^bad\.md:18: TS2305: .*has no exported member 'fromEvents'/),
      expect.stringMatching(/^bad\.md:19: TS2322: Type 'string' is not assignable to type 'number'/),
    ]);
  }, 120_000);

  it('report links to missing files and headings, not those inside code', () => {
    expect(brokenLinks(dir(), [page()])).toEqual([
      'bad.md:34: #no-such-heading: no heading with the anchor #no-such-heading',
      'bad.md:34: missing.md: no such file',
    ]);
  });

  it('name headings as GitHub does: code and punctuation dropped, repeats numbered', () => {
    const names = anchors(
      '# Statecraft\n## `statecraft run --brokers`\n### Checkpoints: state, moved\n## Notes\n## Notes\n',
    );
    expect([...names]).toEqual([
      'statecraft',
      'statecraft-run---brokers',
      'checkpoints-state-moved',
      'notes',
      'notes-1',
    ]);
  });
});
