import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers.js';
import type { CodeBlock } from './markdown.js';

const run = promisify(execFile);

/**
 * Typechecks `ts` code blocks as programs against the built packages, with one `tsc` run for them
 * all: each block is written as a module of its own into `dir` (a folder inside the repository, so
 * that `@statecraft/*` imports resolve as they do for its packages), with the repository's compiler
 * options. Blocks marked `<!-- not-a-program -->` are left out. Returns one line per compiler
 * error, `file:line: TSnnnn: message`, placed in the markdown file (its path relative to `base`);
 * `dir` is removed afterwards.
 */
export async function typeErrors(base: string, blocks: readonly CodeBlock[], dir: string): Promise<string[]> {
  const programs = blocks.filter((block) => block.lang === 'ts' && !block.notAProgram);
  if (programs.length === 0) return [];
  await mkdir(dir, { recursive: true });
  try {
    const names = programs.map((_, index) => `block-${index}.ts`);
    await Promise.all(
      programs.map((block, index) => writeFile(join(dir, names[index]!), `${block.text}\nexport {};\n`)),
    );
    const tsconfig = {
      extends: relative(dir, join(ROOT, 'tsconfig.base.json')),
      compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false },
      files: names,
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const output = await run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: dir }).then(
      () => '',
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    return output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const match = /^block-(\d+)\.ts\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
        if (!match) return line;
        const block = programs[Number(match[1])]!;
        return `${relative(base, block.file)}:${block.line + Number(match[2]) - 1}: ${match[3]}: ${match[4]}`;
      });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
