import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import {
  type Checkpoint,
  type CheckpointPolicy,
  CheckpointStore,
  isStatecraftError,
  loadCheckpointCodec,
  type ParallelSource,
} from '@statecraft/engine';
import { type CompiledMachine, parseEventsOrDuration, type StateTtl } from '@statecraft/fsm';
import { CliError, usageError } from './cli-error.js';
import { DEFAULT_CHECKPOINT_INTERVAL } from './definitions/defaults.js';
import { ExitCode } from './exit-codes.js';

export interface CheckpointArgs {
  checkpointDir?: string | undefined;
  checkpointInterval?: string | undefined;
  checkpointRetain: number;
  resume: boolean;
}

// Declared with the flags (for --help, which loads nothing of this); kafka-run imports it from here.
export { DEFAULT_CHECKPOINT_INTERVAL };

/** `--checkpoint-interval`: a number of events (`2000000`) or a duration (`500ms`, `10s`, `1m`). */
export function parseCheckpointInterval(text: string): Pick<CheckpointPolicy, 'everyEvents' | 'everyMs'> {
  const interval = parseEventsOrDuration(text, ['ms', 's', 'm']);
  if (interval?.unit === 'events') return { everyEvents: interval.amount };
  if (interval?.unit === 'ms') return { everyMs: interval.amount };
  throw usageError(
    `--checkpoint-interval must be a number of events or a duration like 500ms, 10s or 1m, got ${text}`,
  );
}

/**
 * What makes a run this job: the same identity means the same chunks, keys and output bytes, so
 * a checkpoint of one run can continue another. Worker, partition and source counts are not part
 * of it (a resume may rescale).
 */
export function jobIdentity(parts: {
  source: ParallelSource;
  input?: string | undefined;
  machine: CompiledMachine;
  outputFormat: string;
  ttl?: StateTtl | undefined;
}): string {
  // The machine is named by its hash; the rest of the source's configuration defines its chunks.
  const {
    machine: _machine,
    eventNames: _names,
    ...chunking
  } = parts.source.config as Record<string, unknown>;
  const source = parts.input === undefined ? 'generator' : `file ${describeFile(parts.input)}`;
  return [
    `${source} ${JSON.stringify(chunking)}`,
    machineIdentity(parts.machine),
    `alerts ${parts.outputFormat}`,
    `ttl ${parts.ttl === undefined ? 'none' : `${parts.ttl.amount}${parts.ttl.unit}`}`,
  ].join(', ');
}

/** A machine by name and a hash of its definition: an edited machine is another job. */
export function machineIdentity(machine: CompiledMachine): string {
  const hash = createHash('sha256').update(JSON.stringify(machine.definition)).digest('hex');
  return `machine ${machine.name}#${hash.slice(0, 12)}`;
}

function describeFile(path: string): string {
  const { size, mtimeMs } = statSync(path);
  return `${realpathSync(path)} (${size} bytes, modified ${new Date(mtimeMs).toISOString()})`;
}

/**
 * Before a run from the beginning truncates its output: when `policy`'s directory already holds
 * checkpoints (of an earlier run, or only unusable ones), writes one at chunk 0. A crash before the
 * run's own first checkpoint, then --resume, starts over as this run did, instead of continuing an
 * earlier run from output this run has cut ("has 0 bytes but the checkpoint committed ...").
 */
export async function startOver(
  policy: CheckpointPolicy,
  layout: Pick<Checkpoint, 'workers' | 'partitions' | 'sourceParallelism'>,
): Promise<void> {
  if (policy.store.list().length === 0) return;
  await policy.store.write({
    job: policy.job,
    chunk: 0,
    firstEvent: 0,
    outputs: 0,
    outputPosition: 0,
    rejects: {},
    expiredKeys: 0,
    ...layout,
    createdAt: new Date().toISOString(),
    keyed: { keys: new Uint32Array(0), values: new Uint32Array(0) },
    splits: [],
  });
}

export interface PreparedCheckpoints {
  policy: CheckpointPolicy | undefined;
  resumeFrom: Checkpoint | undefined;
}

/** Opens the checkpoint directory and, with --resume, finds the checkpoint to start from. */
export function prepareCheckpoints(
  args: CheckpointArgs,
  job: string,
  report: (line: string) => void,
): PreparedCheckpoints {
  if (args.checkpointDir === undefined) return { policy: undefined, resumeFrom: undefined };
  const interval = parseCheckpointInterval(args.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL);
  let store: CheckpointStore;
  try {
    store = new CheckpointStore(args.checkpointDir, args.checkpointRetain);
  } catch (error) {
    throw new CliError(isStatecraftError(error) ? error.message : String(error), ExitCode.cannotWrite);
  }
  const policy: CheckpointPolicy = { store, job, ...interval };
  if (!args.resume) return { policy, resumeFrom: undefined };
  let loaded: ReturnType<CheckpointStore['loadNewest']>;
  try {
    loaded = store.loadNewest(job);
  } catch (error) {
    if (isStatecraftError(error) && error.code === 'CHECKPOINT_MISMATCH') throw usageError(error.message);
    throw error;
  }
  for (const { path, reason } of loaded.skipped)
    report(`checkpoint ${path} is unusable (${reason}); trying an older one`);
  if (loaded.checkpoint === undefined) {
    report(`no checkpoint in ${args.checkpointDir} yet: starting from the beginning`);
  } else {
    report(
      `resuming from ${loaded.path}: chunk ${loaded.checkpoint.chunk}, ${loaded.checkpoint.firstEvent} events done`,
    );
  }
  return { policy, resumeFrom: loaded.checkpoint };
}

/** A run's checkpoints: prepared, and started over (startOver) when the run does not resume. */
export async function prepareRunCheckpoints(
  args: CheckpointArgs,
  job: Parameters<typeof jobIdentity>[0],
  layout: Pick<Checkpoint, 'workers' | 'partitions' | 'sourceParallelism'>,
  report: (line: string) => void,
): Promise<PreparedCheckpoints> {
  await loadCheckpointCodec(); // before the store reads any checkpoint (--resume)
  const checkpoints = prepareCheckpoints(args, jobIdentity(job), report);
  if (checkpoints.policy !== undefined && checkpoints.resumeFrom === undefined) {
    await startOver(checkpoints.policy, layout);
  }
  return checkpoints;
}
