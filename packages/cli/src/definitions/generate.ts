import type { Argv } from 'yargs';
import { generatorOptions } from './generator-options.js';

/** `statecraft generate`'s flags. */
export const generateOptions = {
  ...generatorOptions,
  events: { ...generatorOptions.events, demandOption: 'give --events N' },
  out: {
    type: 'string',
    demandOption: 'give --out <file> (or - for stdout)',
    describe: 'events file',
  },
  format: {
    type: 'string',
    choices: ['csv', 'ndjson', 'flink-binary'],
    default: 'csv',
    describe: 'events file format',
  },
} as const;

/** Registers `statecraft generate`, loading the generator only when it runs. */
export function defineGenerate(y: Argv, done: (exitCode: number) => void): Argv {
  return y.command(
    'generate',
    "write the generator's event stream to a file",
    (c) => c.options(generateOptions),
    async (args) => {
      const { generateCommand } = await import('../commands/generate.js');
      done(
        await generateCommand({
          ...args,
          errorRate: args['error-rate'],
          generatorSplits: args['generator-splits'],
        }),
      );
    },
  );
}
