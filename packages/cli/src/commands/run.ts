import { writeFileSync } from 'node:fs';
import {
  DEFAULT_CHUNK_BYTES,
  type EventBatch,
  fileSource,
  INPUT_FORMATS,
  type InputFormat,
  isInputFormat,
  type JobSummary,
  type ParallelSource,
  RecordStreamSource,
  runJob,
  TextStreamSink,
} from '@statecraft/engine';
import {
  type AlertFormat,
  type CompiledMachine,
  createAlertFormatter,
  generatorSource,
  stateMachineOperator,
} from '@statecraft/fsm';
import { CliError, usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { DeadLetterFile } from '../io/dead-letter.js';
import { checkReadableFile, describeFsError, openInput } from '../io/open-input.js';
import { openOutput } from '../io/open-output.js';
import { type KafkaFlags, usesKafka } from '../kafka/kafka-flags.js';
import { resolveMachine } from '../machine-flag.js';
import { integerFlag, rateFlag } from '../options.js';
import { formatSummary, type RunStats } from '../summary.js';
import { kafkaRunCommand } from './kafka-run.js';

export interface RunArgs extends KafkaFlags {
  input?: string;
  inputFormat?: string;
  events: number;
  errorRate: number;
  seed: number;
  machine: string;
  workers: number;
  partitions: number;
  /** Alerts file or - (stdout, the default). */
  output?: string;
  format: AlertFormat;
  stats?: string;
  deadLetter?: string;
  strict: boolean;
  generatorSplits: number;
  sourceParallelism?: number;
  quiet: boolean;
}

interface PreparedSource {
  chunks: Iterable<EventBatch> | AsyncIterable<EventBatch> | ParallelSource;
  name: string;
  /** Rejected records by reason: a parallel source reports them in the job summary. */
  rejected: (summary: JobSummary) => RunStats['rejectedByReason'];
  close: () => void;
}

/** `statecraft run`: the detection job over the generator or an input file. */
export async function runCommand(args: RunArgs): Promise<number> {
  if (usesKafka(args)) return kafkaRunCommand(args);
  const workers = integerFlag('workers', args.workers, 0, 1024);
  const partitions = integerFlag('partitions', args.partitions, 1, 1 << 20);
  if (workers > partitions) {
    throw usageError(
      `--workers (${workers}) cannot exceed --partitions (${partitions}): each worker owns key groups`,
    );
  }
  const sourceParallelism =
    args.sourceParallelism === undefined
      ? Math.max(1, workers)
      : integerFlag('source-parallelism', args.sourceParallelism, 1, 1024);
  const machine = await resolveMachine(args.machine);
  const abort = new AbortController();
  const source = prepareSource(args, machine, abort.signal);
  const output = openOutput(args.output ?? '-');
  const formatter = createAlertFormatter(machine, args.format);
  const sink = new TextStreamSink(output.stream, {
    format: (columns) => formatter.format(columns),
    header: formatter.header(),
    end: output.owned,
    name: output.name,
  });
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let summary: JobSummary;
  try {
    summary = await runJob({
      source: source.chunks,
      operator: stateMachineOperator(machine),
      sink,
      workers,
      partitions,
      sourceParallelism,
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
    source.close();
  }
  const rejectedByReason = source.rejected(summary);
  const stats: RunStats = {
    events: summary.events,
    alerts: summary.outputs,
    rejected: Object.values(rejectedByReason).reduce((n, count) => n + count, 0),
    rejectedByReason,
    elapsedMs: summary.elapsedMs,
    eventsPerSecond: summary.eventsPerSecond,
    workers: summary.workers,
    partitions: summary.partitions,
    chunks: summary.chunks,
    liveAddresses: summary.liveKeys,
    p50BatchMs: summary.p50BatchMs,
    p99BatchMs: summary.p99BatchMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    machine: machine.name,
    source: source.name,
    interrupted: summary.interrupted,
  };
  if (args.stats !== undefined) writeStats(args.stats, stats);
  if (!args.quiet) process.stderr.write(formatSummary(stats));
  return summary.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

function prepareSource(args: RunArgs, machine: CompiledMachine, signal: AbortSignal): PreparedSource {
  if (args.input === undefined) {
    const events = integerFlag('events', args.events, 0);
    const chunks = generatorSource({
      machine,
      events,
      seed: integerFlag('seed', args.seed, 0, 0xffffffff),
      errorRate: rateFlag('error-rate', args.errorRate),
      splits: integerFlag('generator-splits', args.generatorSplits, 1, 1 << 16),
    });
    return { chunks, name: 'generator', rejected: () => ({}), close: () => undefined };
  }
  const format = args.inputFormat ?? inferFormat(args.input);
  if (!isInputFormat(format)) {
    throw usageError(`--input-format ${format} is not supported (supported: ${INPUT_FORMATS.join(', ')})`);
  }
  if (args.input !== '-' && !args.input.endsWith('.gz') && args.deadLetter === undefined && !args.strict) {
    checkReadableFile(args.input);
    const chunks = fileSource(args.input, { eventNames: machine.eventNames, format });
    return { chunks, name: args.input, rejected: (summary) => summary.rejects, close: () => undefined };
  }
  return sequentialInput({ ...args, input: args.input }, format, machine, signal);
}

/**
 * Stdin, gzip, or a run that must see rejected records in file order (dead letters, --strict):
 * the input is read and parsed on the main thread, in order, with line numbers.
 */
function sequentialInput(
  args: RunArgs & { input: string },
  format: InputFormat,
  machine: CompiledMachine,
  signal: AbortSignal,
): PreparedSource {
  const input = openInput(args.input, DEFAULT_CHUNK_BYTES);
  const deadLetter =
    args.deadLetter === undefined
      ? undefined
      : new DeadLetterFile(args.deadLetter, input.name, format === 'flink-binary' ? 'hex' : 'text');
  const source = new RecordStreamSource(input.stream, {
    format,
    eventNames: machine.eventNames,
    name: input.name,
    strict: args.strict,
    signal,
    ...(deadLetter === undefined ? {} : { onReject: (record) => deadLetter.add(record) }),
  });
  return {
    chunks: source,
    name: input.name,
    rejected: () => source.rejects.nonZero(),
    close: () => {
      deadLetter?.close();
      if (input.stream !== process.stdin) input.stream.destroy();
    },
  };
}

function inferFormat(path: string): string {
  const name = path.endsWith('.gz') ? path.slice(0, -3) : path;
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.bin')) return 'flink-binary';
  return 'csv';
}

export function writeStats(path: string, stats: RunStats): void {
  try {
    writeFileSync(path, `${JSON.stringify(stats, null, 2)}\n`);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${describeFsError(error)}`, ExitCode.cannotWrite);
  }
}
