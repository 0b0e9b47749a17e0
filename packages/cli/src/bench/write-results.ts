import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { describeFsError } from '../io/open-input.js';
import { renderChart } from './chart.js';
import { resultsMarkdown } from './results-md.js';
import type { SweepResults } from './sweep.js';

/** Writes results.json, results.md and chart.svg into `dir`; failure is exit code 73. */
export async function writeResults(dir: string, results: SweepResults): Promise<string[]> {
  const files: [string, string][] = [
    ['results.json', `${JSON.stringify(results, null, 2)}\n`],
    ['results.md', resultsMarkdown(results)],
    ['chart.svg', `${await renderChart(results)}\n`],
  ];
  for (const [name, text] of files) {
    const path = join(dir, name);
    try {
      await writeFile(path, text);
    } catch (error) {
      throw new CliError(`cannot write ${path}: ${describeFsError(error)}`, ExitCode.cannotWrite);
    }
  }
  return files.map(([name]) => join(dir, name));
}
