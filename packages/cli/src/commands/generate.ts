import { createEventBatch, EventsWriter, INPUT_FORMATS, isInputFormat } from '@statecraft/engine';
import { DEFAULT_GENERATOR_CHUNK, generateChunks } from '@statecraft/fsm';
import { usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { openOutput } from '../io/open-output.js';
import { resolveMachine } from '../machine-flag.js';
import { generatorFlags, integerFlag } from '../options.js';

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
  const format = args.format;
  if (!isInputFormat(format)) {
    throw usageError(`--format ${format} is not supported (supported: ${INPUT_FORMATS.join(', ')})`);
  }
  const machine = await resolveMachine(args.machine, { quiet: args.quiet });
  // one batch refilled per chunk: the writer encodes it into its buffers before the next is made
  const chunks = generateChunks(
    { machine, events: integerFlag('events', args.events, 0), ...generatorFlags(args) },
    createEventBatch(DEFAULT_GENERATOR_CHUNK),
  );
  const output = openOutput(args.out);
  const writer = new EventsWriter(output.stream, output.name, format, machine.eventNames);
  const started = performance.now();
  for (const batch of chunks) await writer.write(batch);
  await writer.finish(output.owned);
  const written = writer.events;
  if (!args.quiet) {
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`generated ${written} events into ${output.name} in ${seconds.toFixed(2)} s\n`);
  }
  return ExitCode.ok;
}
