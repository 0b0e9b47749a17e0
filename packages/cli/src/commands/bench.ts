import { accessSync, constants, mkdirSync } from 'node:fs';
import { describeMachine, formatMachine } from '../bench/machine-info.js';
import { combinations, DEFAULT_SWEEP, defaultWorkers, QUICK_SWEEP, type SweepPlan } from '../bench/plan.js';
import { resultsMarkdown } from '../bench/results-md.js';
import { describeCombination, runSweep } from '../bench/sweep.js';
import { writeResults } from '../bench/write-results.js';
import { CliError, usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { describeFsError } from '../io/open-input.js';
import { integerFlag, integerListFlag } from '../options.js';
import { count } from '../status/format.js';

export interface BenchArgs {
  workers?: string;
  partitions?: string;
  events?: number;
  repeat?: number;
  out: string;
  quick: boolean;
}

/** `statecraft bench`: the end-to-end sweep over worker and partition counts, plus the Map baseline. */
export async function benchCommand(args: BenchArgs): Promise<number> {
  const plan = resolvePlan(args);
  if (typeof args.out !== 'string' || args.out === '') throw usageError('give --out <dir> once');
  const { runnable, skipped } = combinations(plan);
  if (runnable.length === 0) {
    throw usageError('nothing to run: every --workers value exceeds every --partitions value');
  }
  prepareOutputDir(args.out);
  const machine = describeMachine();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`machine: ${formatMachine(machine)}`);
  const skippedNote =
    skipped.length === 0
      ? ''
      : `; skipped (workers > partitions): ${skipped.map(describeCombination).join('; ')}`;
  log(
    `sweep: ${runnable.length} combinations + baseline-map, ${count(plan.events)} events, ` +
      `repeat ${plan.repeat}, ${(runnable.length + 1) * plan.repeat + 1} runs with the warm-up${skippedNote}`,
  );
  const results = await runSweep(plan, machine, log);
  const files = await writeResults(args.out, results);
  process.stdout.write(resultsMarkdown(results));
  log(`wrote ${files.join(', ')} (sweep took ${(results.sweep.elapsedMs / 1000).toFixed(1)} s)`);
  return ExitCode.ok;
}

/** Flags over the defaults of the chosen sweep (`--quick` or the default one). */
function resolvePlan(args: BenchArgs): SweepPlan {
  const defaults = args.quick ? QUICK_SWEEP : DEFAULT_SWEEP;
  return {
    workers:
      args.workers === undefined ? defaultWorkers() : integerListFlag('workers', args.workers, 0, 1024),
    partitions:
      args.partitions === undefined
        ? defaults.partitions
        : integerListFlag('partitions', args.partitions, 1, 1 << 20),
    events: args.events === undefined ? defaults.events : integerFlag('events', args.events, 1),
    repeat: args.repeat === undefined ? defaults.repeat : integerFlag('repeat', args.repeat, 1, 1000),
  };
}

/** Creates the output directory (and its parents) and checks it is writable; otherwise exit 73. */
function prepareOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it is not a directory' : describeFsError(error);
    throw new CliError(`cannot write ${dir}: ${reason}`, ExitCode.cannotWrite);
  }
}
