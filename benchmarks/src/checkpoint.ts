/**
 * What checkpoints cost: snapshot, encode, durable write, read and restore of 1M live addresses;
 * and the generator job's throughput with a checkpoint every second against none, measured
 * alternately in one process (medians). `--quick` for a short run.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Checkpoint,
  CheckpointStore,
  decodeCheckpoint,
  encodeCheckpoint,
  runJob,
  TextFileSink,
} from '@statecraft/engine';
import {
  compileMachine,
  createAlertFormatter,
  generatorSource,
  SEED_MACHINE,
  stateMachineOperator,
} from '@statecraft/fsm';
import { createOperator } from '@statecraft/fsm/operator';

const quick = process.argv.includes('--quick');
const PARTITIONS = 128;
const LIVE = 1_000_000;
const machine = compileMachine(SEED_MACHINE);
const directory = mkdtempSync(join(tmpdir(), 'statecraft-checkpoint-bench-'));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const timed = (run: () => void) => {
  const start = performance.now();
  run();
  return performance.now() - start;
};

async function snapshotCost() {
  const fullRange = { partitions: PARTITIONS, keyGroupStart: 0, keyGroupEnd: PARTITIONS - 1 };
  const keys = new Uint32Array(LIVE);
  for (let i = 0; i < LIVE; i++) keys[i] = Math.imul(i + 1, 2654435761) >>> 0;
  const operator = createOperator({ machine: SEED_MACHINE }, fullRange);
  operator.restore!({ keys, values: new Uint32Array(LIVE).fill(1) });
  const store = new CheckpointStore(join(directory, 'snapshots'), 2);
  const rows: Record<string, number>[] = [];
  for (let round = 0; round < (quick ? 2 : 5); round++) {
    let checkpoint: Checkpoint | undefined;
    const snapshotMs = timed(() => {
      checkpoint = {
        job: 'bench',
        chunk: 1,
        firstEvent: 0,
        outputs: 0,
        outputPosition: 0,
        rejects: {},
        expiredKeys: 0,
        workers: 1,
        partitions: PARTITIONS,
        sourceParallelism: 1,
        createdAt: new Date().toISOString(),
        keyed: operator.snapshot!(),
        splits: [],
      };
    });
    let bytes: Uint8Array = new Uint8Array(0);
    const encodeMs = timed(() => {
      bytes = encodeCheckpoint(checkpoint!);
    });
    const writeStart = performance.now();
    const path = await store.write(checkpoint!);
    const writeMs = performance.now() - writeStart;
    let restored: Checkpoint | undefined;
    const readMs = timed(() => {
      restored = decodeCheckpoint(readFileSync(path));
    });
    const restoreMs = timed(() =>
      createOperator({ machine: SEED_MACHINE }, fullRange).restore!(restored!.keyed),
    );
    rows.push({
      snapshotMs,
      encodeMs,
      writeMs,
      readMs,
      restoreMs,
      bytes: statSync(path).size || bytes.length,
    });
  }
  const column = (name: string) => Number(median(rows.map((row) => row[name]!)).toFixed(1));
  return {
    'live addresses': LIVE,
    'snapshot ms': column('snapshotMs'),
    'encode ms': column('encodeMs'),
    'write + fsync ms (encode included)': column('writeMs'),
    'read + decode ms': column('readMs'),
    'restore ms': column('restoreMs'),
    'file MiB': Number((column('bytes') / 2 ** 20).toFixed(2)),
  };
}

async function jobThroughput(everyMs: number | undefined, events: number) {
  const output = join(directory, 'alerts.txt');
  const formatter = createAlertFormatter(machine, 'text');
  const sink = await TextFileSink.open(output, { format: (columns) => formatter.format(columns) });
  const checkpointDir = join(directory, 'job');
  rmSync(checkpointDir, { recursive: true, force: true });
  const summary = await runJob({
    source: generatorSource({ machine, events, seed: 7, errorRate: 0.0001 }),
    operator: stateMachineOperator(machine),
    sink,
    workers: 2,
    partitions: PARTITIONS,
    ...(everyMs === undefined
      ? {}
      : { checkpoint: { store: new CheckpointStore(checkpointDir), job: 'bench', everyMs } }),
  });
  return { eventsPerSecond: summary.eventsPerSecond, checkpoints: summary.checkpoints.taken };
}

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores`);
try {
  console.log('snapshot of 1M live addresses (medians):');
  console.table([await snapshotCost()]);
  const events = quick ? 10_000_000 : 40_000_000;
  const repeat = quick ? 1 : 3;
  const none: number[] = [];
  const everySecond: number[] = [];
  let taken = 0;
  await jobThroughput(undefined, 2_000_000);
  for (let round = 0; round < repeat; round++) {
    none.push((await jobThroughput(undefined, events)).eventsPerSecond);
    const run = await jobThroughput(1000, events);
    everySecond.push(run.eventsPerSecond);
    taken += run.checkpoints;
  }
  const base = median(none);
  const checkpointed = median(everySecond);
  console.log(
    `generator job, ${events.toLocaleString('en-US')} events, --workers 2 --partitions ${PARTITIONS}, median of ${repeat}:`,
  );
  console.table([
    { checkpoints: 'none', 'M events/s': Number((base / 1e6).toFixed(2)), ratio: 1 },
    {
      checkpoints: `every 1 s (${(taken / repeat).toFixed(1)} per run)`,
      'M events/s': Number((checkpointed / 1e6).toFixed(2)),
      ratio: Number((checkpointed / base).toFixed(3)),
    },
  ]);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
