/**
 * Sticky ownership, two ways (issue 3's "measure, pick, say why"): one long-lived Piscina task per
 * thread fed through its own MessagePort (what the engine does), against one single-thread Piscina
 * pool per worker receiving one task per batch (FIFO). Same partitioned parts, same operator.
 */
import { availableParallelism, cpus } from 'node:os';
import {
  callbackSink,
  type EventBatch,
  keyGroupRange,
  type OutputColumns,
  Partitioner,
  runJob,
  type WorkerPart,
} from '@statecraft/engine';
import { compileMachine, generateChunks, SEED_MACHINE, stateMachineOperator } from '@statecraft/fsm';
import { Piscina } from 'piscina';

const WORKERS = 2;
const PARTITIONS = 128;
const EVENTS = Number(process.env.EVENTS ?? 8_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const machine = compileMachine(SEED_MACHINE);
const chunks = [...generateChunks({ machine, events: EVENTS, seed: 1, errorRate: 0.001 })];
const clone = (batch: EventBatch): EventBatch => ({
  count: batch.count,
  addresses: batch.addresses.slice(),
  types: batch.types.slice(),
});

async function viaPorts(): Promise<{ ms: number; alerts: number }> {
  let alerts = 0;
  const started = performance.now();
  await runJob({
    source: chunks.map(clone),
    operator: stateMachineOperator(machine),
    workers: WORKERS,
    partitions: PARTITIONS,
    sink: callbackSink((columns) => {
      alerts += columns.count;
    }),
  });
  return { ms: performance.now() - started, alerts };
}

async function viaTaskPerBatch(): Promise<{ ms: number; alerts: number }> {
  const spec = stateMachineOperator(machine);
  const started = performance.now();
  const pools = Array.from(
    { length: WORKERS },
    () =>
      new Piscina({
        filename: new URL('./dispatch-task-worker.js', import.meta.url).href,
        minThreads: 1,
        maxThreads: 1,
      }),
  );
  const partitioner = new Partitioner(WORKERS, PARTITIONS);
  let alerts = 0;
  const inFlight: Promise<unknown>[] = [];
  for (const batch of chunks.map(clone)) {
    const parts = partitioner.split(batch);
    const results = parts.map((part: WorkerPart | undefined, w) => {
      if (part === undefined) return Promise.resolve(undefined);
      const { start, end } = keyGroupRange(w, WORKERS, PARTITIONS);
      const context = { partitions: PARTITIONS, keyGroupStart: start, keyGroupEnd: end };
      const transfer = [
        part.addresses.buffer,
        part.types.buffer,
        part.keyGroups.buffer,
        part.positions.buffer,
      ];
      return pools[w]!.run(
        { part, config: spec.config, context },
        { transferList: transfer as ArrayBuffer[] },
      );
    });
    inFlight.push(
      Promise.all(results).then((outs) => {
        for (const out of outs) alerts += (out as OutputColumns | undefined)?.count ?? 0;
      }),
    );
    if (inFlight.length >= 4 * WORKERS) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await Promise.all(pools.map((pool) => pool.destroy()));
  return { ms: performance.now() - started, alerts };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores`);
console.log(
  `${EVENTS} events, ${chunks.length} chunks, workers ${WORKERS}, partitions ${PARTITIONS}, ${ROUNDS} rounds`,
);
const ports: number[] = [];
const tasks: number[] = [];
for (let round = 0; round < ROUNDS + 1; round++) {
  const a = await viaPorts();
  const b = await viaTaskPerBatch();
  if (a.alerts !== b.alerts) throw new Error(`alert counts differ: ${a.alerts} vs ${b.alerts}`);
  if (round === 0) continue;
  ports.push(a.ms);
  tasks.push(b.ms);
}
const rate = (ms: number) => `${(((EVENTS / ms) * 1000) / 1e6).toFixed(2)} M events/s`;
console.log(`long-lived task + MessagePort: median ${median(ports).toFixed(0)} ms (${rate(median(ports))})`);
console.log(
  `pool per worker, task per batch: median ${median(tasks).toFixed(0)} ms (${rate(median(tasks))})`,
);
console.log(`ratio (ports / tasks throughput): ${(median(tasks) / median(ports)).toFixed(2)}`);
