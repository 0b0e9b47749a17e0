// Shared by the job-level checkpoint tests: jobs run through runJob with a real CheckpointStore and
// a real TextFileSink in a temporary directory, and what a crash leaves behind.
//
// These tests import @statecraft/fsm (the built package, like the CLI tests use the built command):
// its operator and generator modules are then plain JavaScript, which worker threads load far
// faster than TypeScript compiled per thread. Run `npx tsc -b` before them.
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Checkpoint,
  CheckpointStore,
  decodeCheckpoint,
  type IndexedSource,
  type JobOptions,
  type JobSummary,
  type OutputColumns,
  type OutputSink,
  runJob,
  TextFileSink,
} from '@statecraft/engine';
import {
  type CompiledMachine,
  createAlertFormatter,
  type StateTtl,
  stateMachineOperator,
} from '@statecraft/fsm';
import { afterAll, expect } from 'vitest';

/** Memory-backed where there is one: fsync is then nearly free, so short jobs have many checkpoints. */
function tempRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** A temporary directory removed after the test file. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tempRoot(), `statecraft-${prefix}-`));
    dirs.push(dir);
    return dir;
  };
}

export interface Layout {
  workers: number;
  partitions: number;
  sourceParallelism: number;
}

export const layoutName = ({ workers, partitions, sourceParallelism }: Layout) =>
  `W=${workers} P=${partitions} S=${sourceParallelism}`;

/**
 * A checkpoint being written, from the sink's commit to the end of the checkpoint file's write
 * (the coordinator always does both, in that order, or stops at the commit's failure).
 */
class CheckpointInProgress {
  private done: Promise<void> = Promise.resolve();
  private finish: () => void = () => undefined;

  begin(): void {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  end(): void {
    this.finish();
  }

  /** Resolves once no checkpoint is being written. */
  whenDone(): Promise<void> {
    return this.done;
  }
}

/** A CheckpointStore that tells `inProgress` when a checkpoint file has been written (or failed). */
class ReportingStore extends CheckpointStore {
  constructor(
    directory: string,
    private readonly inProgress: CheckpointInProgress,
  ) {
    super(directory, 1_000_000);
  }

  override async write(checkpoint: Checkpoint): Promise<string> {
    try {
      return await super.write(checkpoint);
    } finally {
      this.inProgress.end();
    }
  }
}

/**
 * A TextFileSink that gives each chunk's write a moment (a macrotask) before it returns: the job
 * runs slower, so checkpoints (an fsync or three each) complete often enough for a short stream to
 * have several. With `inProgress`, a write also waits while a checkpoint is being written: the job
 * (whose grants follow the chunks written) cannot outrun its checkpoints, so a run has one about
 * every grant window of chunks however slow the machine's I/O is. It changes nothing in what is
 * written.
 */
class PacedSink implements OutputSink {
  constructor(
    private readonly file: TextFileSink,
    private readonly inProgress?: CheckpointInProgress,
  ) {}

  async write(chunk: number, columns: OutputColumns): Promise<void> {
    await this.inProgress?.whenDone();
    await this.file.write(chunk, columns);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }

  position(): number {
    return this.file.position();
  }

  commit(position: number): Promise<void> {
    const inProgress = this.inProgress;
    if (inProgress === undefined) return this.file.commit(position);
    inProgress.begin();
    return this.file.commit(position).catch((error: unknown) => {
      inProgress.end(); // the coordinator writes no checkpoint file after a failed commit
      throw error;
    });
  }

  rewind(position: number): Promise<void> {
    return this.file.rewind(position);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

export interface JobSetup {
  machine: CompiledMachine;
  source: IndexedSource;
  ttl?: StateTtl | undefined;
}

export interface RunOptions extends Layout {
  output: string;
  /** Checkpoints into this directory (retaining all) every `everyEvents` events. */
  checkpointDir?: string;
  everyEvents?: number;
  resumeFrom?: Checkpoint;
  injectWorkerDeaths?: JobOptions['injectWorkerDeaths'];
  restartBackoffMs?: number;
  onRestart?: () => void;
  signal?: AbortSignal;
  maxRestarts?: number;
  /** false: the file sink as is (a reference run). Default: PacedSink. */
  paced?: boolean;
  /**
   * Writes wait while a checkpoint is being written (see PacedSink): for tests that need several
   * checkpoints, or one before a given point, whatever the machine's load.
   */
  checkpointsKeepUp?: boolean;
}

export interface RunResult {
  summary: JobSummary;
  /** The output file's contents after the run. */
  text: string;
  restarts: { restart: number; fromChunk: number }[];
}

/** One run of the state machine job, alerts as CSV into `output` (continued from resumeFrom's position). */
export async function runAlertJob(setup: JobSetup, options: RunOptions): Promise<RunResult> {
  const formatter = createAlertFormatter(setup.machine, 'csv');
  const file = await TextFileSink.open(options.output, {
    format: (columns) => formatter.format(columns),
    header: formatter.header(),
    resumeAt: options.resumeFrom?.outputPosition ?? 0,
  });
  const restarts: RunResult['restarts'] = [];
  const inProgress = options.checkpointsKeepUp === true ? new CheckpointInProgress() : undefined;
  const summary = await runJob({
    source: setup.source,
    operator: stateMachineOperator(setup.machine, { ttl: setup.ttl }),
    sink: options.paced === false ? file : new PacedSink(file, inProgress),
    workers: options.workers,
    partitions: options.partitions,
    sourceParallelism: options.sourceParallelism,
    checkpoint:
      options.checkpointDir === undefined
        ? undefined
        : {
            store:
              inProgress === undefined
                ? new CheckpointStore(options.checkpointDir, 1_000_000)
                : new ReportingStore(options.checkpointDir, inProgress),
            job: jobName(setup),
            everyEvents: options.everyEvents ?? 10_000,
          },
    resumeFrom: options.resumeFrom,
    maxRestarts: options.maxRestarts ?? 0,
    restartBackoffMs: options.restartBackoffMs ?? 1,
    injectWorkerDeaths: options.injectWorkerDeaths,
    signal: options.signal,
    onRestart: ({ restart, fromChunk }) => {
      restarts.push({ restart, fromChunk });
      options.onRestart?.();
    },
  });
  return { summary, text: readFileSync(options.output, 'utf8'), restarts };
}

export function jobName(setup: JobSetup): string {
  return `${setup.source.name} (${setup.source.chunks} chunks), ttl ${JSON.stringify(setup.ttl ?? null)}`;
}

/** Every checkpoint in a directory, oldest first. */
export function checkpointsIn(dir: string): Checkpoint[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ckpt'))
    .sort()
    .map((name) => decodeCheckpoint(readFileSync(join(dir, name))));
}

/**
 * What a crash after `checkpoint` leaves in the output file: the committed bytes of the
 * uninterrupted output, then output written after the checkpoint (some of it), cut mid-line.
 */
export function writeCrashedOutput(path: string, expected: string, checkpoint: Checkpoint): void {
  const bytes = Buffer.from(expected);
  expect(checkpoint.outputPosition).toBeLessThanOrEqual(bytes.length);
  const tail = Buffer.from('1.2.3.4,half-written after the chec');
  writeFileSync(path, Buffer.concat([bytes.subarray(0, checkpoint.outputPosition + 100), tail]));
}

/** Asserts two texts are equal, reporting the first differing line rather than a huge diff. */
export function expectSameOutput(actual: string, expected: string, label: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const b = expected.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  throw new Error(
    `${label}: line ${i + 1} differs: got ${JSON.stringify(a[i])}, expected ${JSON.stringify(b[i])} ` +
      `(${a.length} vs ${b.length} lines)`,
  );
}

/** `count` items of `all`, spread from first to last. */
export function spread<T>(all: readonly T[], count: number): T[] {
  if (all.length <= count) return [...all];
  return Array.from({ length: count }, (_, i) => all[Math.round((i * (all.length - 1)) / (count - 1))]!);
}
