/**
 * What the object-per-event embedding API costs: the same generated stream run through the
 * detection job as columnar chunks, as an array of `{ address, type }` objects (`fromEvents` over
 * a sync iterable), and through an async generator. Medians of ROUNDS runs, W=2, P=128.
 */
import { availableParallelism, cpus } from 'node:os';
import { type EventRecord, fromBatches, fromEvents } from '@statecraft/engine';
import { compileMachine, createMachineJob, generateChunks, SEED_MACHINE } from '@statecraft/fsm';

const EVENTS = Number(process.env.EVENTS ?? 2_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const machine = compileMachine(SEED_MACHINE);
const chunks = [...generateChunks({ machine, events: EVENTS, seed: 1, errorRate: 0.001 })];
const records: EventRecord[] = chunks.flatMap((batch) =>
  Array.from({ length: batch.count }, (_, i) => ({
    address: batch.addresses[i]!,
    type: machine.eventNames[batch.types[i]!]!,
  })),
);

async function* asyncRecords(): AsyncGenerator<EventRecord> {
  yield* records;
}

const variants = {
  columnar: () =>
    fromBatches(
      chunks.map((b) => ({ count: b.count, addresses: b.addresses.slice(), types: b.types.slice() })),
    ),
  'fromEvents(array)': () => fromEvents(records),
  'fromEvents(async generator)': () => fromEvents(asyncRecords()),
};

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`machine: ${cpus()[0]?.model}, ${availableParallelism()} cores, Node ${process.version}`);
console.log(`${EVENTS} events, W=2, P=128, median of ${ROUNDS}`);
const results: Record<string, number> = {};
for (const [name, source] of Object.entries(variants)) {
  const rates: number[] = [];
  let alerts = -1;
  for (let round = 0; round < ROUNDS; round++) {
    const summary = await createMachineJob({
      machine,
      source: source(),
      onAlerts: () => undefined,
      workers: 2,
      partitions: 128,
    }).run();
    if (alerts >= 0 && summary.outputs !== alerts) throw new Error(`${name}: alerts differ between rounds`);
    alerts = summary.outputs;
    rates.push(summary.eventsPerSecond);
  }
  results[name] = median(rates);
  const ratio = results[name] / results.columnar!;
  console.log(
    `${name.padEnd(28)} ${(results[name] / 1e6).toFixed(2)} M events/s  (${ratio.toFixed(2)}× columnar, ${alerts} alerts)`,
  );
}
