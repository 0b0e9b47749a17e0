import { statSync } from 'node:fs';
import {
  type JobSummary,
  type OutputColumns,
  type OutputSink,
  type ParallelSource,
  runJob,
  TextFileSink,
  TextStreamSink,
} from '@statecraft/engine';
import { createAlertFormatter, parseStateTtl, type StateTtl, stateMachineOperator } from '@statecraft/fsm';
import { CliError, usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { openOutput } from '../io/open-output.js';
import { usesKafka } from '../kafka/kafka-options.js';
import { logger } from '../log/logger.js';
import { resolveMachine } from '../machine-flag.js';
import { integerFlag } from '../options.js';
import { runJobOverrides } from '../run-job-overrides.js';
import { RunMonitor } from '../status/run-monitor.js';
import { reportSummary, runStatsOf, writeStats } from '../summary.js';
import { defaultWorkers } from '../worker-count.js';
import type { RunArgs } from './run-args.js';
import { prepareSource } from './run-source.js';

/** `statecraft run`: the detection job over the generator or an input file. */
export async function runCommand(args: RunArgs): Promise<number> {
  if (usesKafka(args)) {
    // The Kafka client is loaded only for a run that reads Kafka.
    const { kafkaRunCommand } = await import('./kafka-run.js');
    return kafkaRunCommand(args);
  }
  const partitions = integerFlag('partitions', args.partitions, 1, 1 << 20);
  const workers =
    args.workers === undefined
      ? Math.min(partitions, defaultWorkers(args))
      : integerFlag('workers', args.workers, 0, 1024);
  if (workers > partitions) {
    throw usageError(
      `--workers (${workers}) cannot exceed --partitions (${partitions}): each worker owns key groups`,
    );
  }
  const sourceParallelism =
    args.sourceParallelism === undefined
      ? Math.max(1, workers)
      : integerFlag('source-parallelism', args.sourceParallelism, 1, 1024);
  const machine = await resolveMachine(args.machine, { quiet: args.quiet });
  const ttl = args.stateTtl === undefined ? undefined : ttlFlag(args.stateTtl);
  const maxRestarts = integerFlag('max-restarts', args.maxRestarts, 0, 1000);
  checkCheckpointable(args);
  const abort = new AbortController();
  const source = prepareSource(args, machine, abort.signal);
  const say = (line: string) => {
    if (!args.quiet) logger.info(line);
  };
  const warn = (line: string) => {
    if (!args.quiet) logger.warn(line);
  };
  // The checkpoint code (and with it msgpack, ~10 ms to load) is loaded only by a run that checkpoints.
  const checkpoints =
    args.checkpointDir === undefined
      ? { policy: undefined, resumeFrom: undefined }
      : await (await import('../checkpointing.js')).prepareRunCheckpoints(
          args,
          {
            source: source.chunks as ParallelSource,
            input: args.input,
            machine,
            outputFormat: args.format,
            ttl,
          },
          { workers, partitions, sourceParallelism: workers > 0 ? sourceParallelism : 0 },
          say,
        );
  const formatter = createAlertFormatter(machine, args.format);
  const sink = await openSink(args.output ?? '-', {
    format: (columns) => formatter.format(columns),
    header: formatter.header(),
    resumeAt: checkpoints.resumeFrom?.outputPosition ?? 0,
  });
  if ((args.output ?? '-') === '-' && checkpoints.resumeFrom !== undefined) {
    warn('stdout cannot be rewound: alerts after the checkpoint may repeat (at-least-once)');
  }
  const monitor = await RunMonitor.start(args, {
    source: source.chunks,
    input: args.input,
    events: args.events,
    output: args.output ?? '-',
    title: { source: source.name, machine: machine.name, workers, partitions },
  }).catch(async (error: unknown) => {
    source.close();
    await release(sink);
    throw error;
  });
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let summary: JobSummary;
  try {
    summary = await runJob({
      source: source.chunks,
      operator: stateMachineOperator(machine, { ttl }),
      sink,
      workers,
      partitions,
      sourceParallelism,
      headStart: args.headStart,
      signal: abort.signal,
      checkpoint: checkpoints.policy,
      resumeFrom: checkpoints.resumeFrom,
      maxRestarts: checkpoints.policy === undefined ? 0 : maxRestarts,
      ...runJobOverrides,
      ...(source.onRejected === undefined ? {} : { onRejected: source.onRejected }),
      onRestart: ({ error, restart, fromChunk, backoffMs }) =>
        warn(
          `${error.message}; restart ${restart} of ${maxRestarts} from chunk ${fromChunk} in ${Math.round(backoffMs)} ms`,
        ),
      onMetrics: monitor.onMetrics,
    });
  } catch (error) {
    await release(sink);
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    source.close();
    await monitor.stop();
  }
  const stats = runStatsOf(summary, {
    rejectedByReason: source.rejected(summary),
    machine: machine.name,
    source: source.name,
    load: monitor.statsFields(),
  });
  if (args.stats !== undefined) writeStats(args.stats, stats);
  reportSummary(stats, args.quiet);
  return summary.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

/**
 * Checkpoints replay the input from a chunk: the generator and files can (a .gz file is inflated
 * again from its start, the chunks before the checkpoint's skipped); stdin cannot.
 */
function checkCheckpointable(args: RunArgs): void {
  if (args.resume && args.checkpointDir === undefined) throw usageError('--resume needs --checkpoint-dir');
  if (args.checkpointDir === undefined) {
    if (args.checkpointInterval !== undefined)
      throw usageError('--checkpoint-interval needs --checkpoint-dir');
    return;
  }
  integerFlag('checkpoint-retain', args.checkpointRetain, 1, 1000);
  const input = args.input;
  const refuse = (why: string) => {
    throw usageError(`--checkpoint-dir cannot be used with ${why}`);
  };
  if (input === '-') refuse('stdin: it cannot be read again from a checkpoint');
  if (input !== undefined && args.deadLetter !== undefined) refuse('--dead-letter');
  if (input !== undefined && args.strict) refuse('--strict');
}

function ttlFlag(text: string): StateTtl {
  try {
    return parseStateTtl(text);
  } catch (error) {
    throw usageError(`--state-ttl: ${(error as Error).message}`);
  }
}

/**
 * A regular file: positioned writes that a checkpoint can commit and a restart rewind. Stdout,
 * pipes and devices (/dev/null): a stream, which cannot be rewound.
 */
async function openSink(
  path: string,
  options: { format: (columns: OutputColumns) => string; header: string; resumeAt: number },
): Promise<OutputSink> {
  if (path !== '-' && isRegularFileOrAbsent(path)) {
    try {
      return await TextFileSink.open(path, options);
    } catch (error) {
      throw new CliError((error as Error).message, ExitCode.cannotWrite);
    }
  }
  const output = openOutput(path);
  return new TextStreamSink(output.stream, { ...options, end: output.owned, name: output.name });
}

function isRegularFileOrAbsent(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/**
 * Closes the sink of a run that failed (the engine leaves it open): its file is released now, not
 * at garbage collection, which Node reports on stderr and would break the one-line error. The
 * run's own error is the one to report.
 */
async function release(sink: OutputSink): Promise<void> {
  try {
    await sink.close?.();
  } catch {
    // ignored: see above
  }
}
