import { CSV_EVENTS_HEADER, formatCsvEvents, StreamWriter } from '@statecraft/engine';
import { generateChunks } from '@statecraft/fsm';
import { usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { openOutput } from '../io/open-output.js';
import { resolveMachine } from '../machine-flag.js';
import { integerFlag, rateFlag } from '../options.js';

export interface GenerateArgs {
  events: number;
  errorRate: number;
  seed: number;
  machine: string;
  out: string;
  format: string;
  generatorSplits: number;
  quiet: boolean;
}

/** `statecraft generate`: writes exactly the event stream `run` generates with the same flags. */
export async function generateCommand(args: GenerateArgs): Promise<number> {
  if (args.format !== 'csv')
    throw usageError(`--format ${args.format} is not supported yet (supported: csv)`);
  const machine = await resolveMachine(args.machine);
  const chunks = generateChunks({
    machine,
    events: integerFlag('events', args.events, 0),
    seed: integerFlag('seed', args.seed, 0, 0xffffffff),
    errorRate: rateFlag('error-rate', args.errorRate),
    splits: integerFlag('generator-splits', args.generatorSplits, 1, 1 << 16),
  });
  const output = openOutput(args.out);
  const writer = new StreamWriter(output.stream, output.name);
  const started = performance.now();
  let written = 0;
  await writer.write(CSV_EVENTS_HEADER);
  for (const batch of chunks) {
    await writer.write(formatCsvEvents(batch, machine.eventNames));
    written += batch.count;
  }
  await writer.finish(output.owned);
  if (!args.quiet) {
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`generated ${written} events into ${output.name} in ${seconds.toFixed(2)} s\n`);
  }
  return ExitCode.ok;
}
