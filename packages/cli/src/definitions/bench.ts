import type { Argv } from 'yargs';

/** `statecraft bench`'s flags. */
export const benchOptions = {
  workers: {
    type: 'string',
    describe: 'worker counts to sweep, comma-separated (default 0,1,2 and powers of two ≤ cores)',
  },
  partitions: {
    type: 'string',
    describe: 'partition counts to sweep, comma-separated (default 1,16,128,1024; --quick 1,128,1024)',
  },
  events: { type: 'number', describe: 'events per run (default 10,000,000; --quick 2,000,000)' },
  repeat: {
    type: 'number',
    describe: 'runs per combination; the median is kept (default 5; --quick 1)',
  },
  out: {
    type: 'string',
    default: '.bench-out',
    describe: 'directory for results.json, results.md and chart.svg',
  },
  quick: { type: 'boolean', default: false, describe: 'a short sweep (under a minute on 2 cores)' },
} as const;

/** Registers `statecraft bench`, loading the sweep (and its chart renderer) only when it runs. */
export function defineBench(y: Argv, done: (exitCode: number) => void): Argv {
  return y.command(
    'bench',
    'end-to-end sweep: the job for each workers × partitions pair, plus a naive Map baseline',
    (c) => c.options(benchOptions),
    async (args) => {
      const { benchCommand } = await import('../commands/bench.js');
      done(await benchCommand(args));
    },
  );
}
