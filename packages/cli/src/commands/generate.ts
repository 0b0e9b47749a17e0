import {
  CSV_EVENTS_HEADER,
  type EventBatch,
  encodeFlinkBinaryEvents,
  formatCsvEvents,
  formatNdjsonEvents,
  INPUT_FORMATS,
  type InputFormat,
  isInputFormat,
  StreamWriter,
} from '@statecraft/engine';
import { generateChunks } from '@statecraft/fsm';
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
  const chunks = generateChunks({
    machine,
    events: integerFlag('events', args.events, 0),
    ...generatorFlags(args),
  });
  const output = openOutput(args.out);
  const writer = new StreamWriter(output.stream, output.name);
  const started = performance.now();
  let written = 0;
  const encode = encoder(format, machine.eventNames);
  if (format === 'csv') await writer.write(CSV_EVENTS_HEADER);
  for (const batch of chunks) {
    await writer.write(encode(batch));
    written += batch.count;
  }
  await writer.finish(output.owned);
  if (!args.quiet) {
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`generated ${written} events into ${output.name} in ${seconds.toFixed(2)} s\n`);
  }
  return ExitCode.ok;
}

/** How a chunk of events is written in each input format. */
function encoder(format: InputFormat, eventNames: readonly string[]): (batch: EventBatch) => string | Buffer {
  switch (format) {
    case 'csv':
      return (batch) => formatCsvEvents(batch, eventNames);
    case 'ndjson':
      return (batch) => formatNdjsonEvents(batch, eventNames);
    case 'flink-binary':
      return encodeFlinkBinaryEvents;
  }
}
