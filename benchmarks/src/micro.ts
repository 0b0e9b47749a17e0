/**
 * Micro-benchmarks of the hot path (tinybench): the state machine step, the state table, the
 * partitioner, the generator and the event encoders, each over one 65,536-event batch; the parsers
 * over 262,144 records. Prints medians and events/s, and the encoders' ratio to the string encoders
 * `generate` used before (kept as `formatCsvEvents`/`formatNdjsonEvents`), run in the same process
 * (as a second, shorter bench: the string encoders take about 0.1 s per batch).
 */
import { availableParallelism, cpus } from 'node:os';
import {
  AddressTable,
  createEventBatch,
  EventEncoder,
  EventLookup,
  encodeFlinkBinaryEvents,
  formatCsvEvents,
  formatNdjsonEvents,
  type InputFormat,
  OutputBuffer,
  Partitioner,
  RejectLedger,
  recordFormat,
  type WorkerPart,
} from '@statecraft/engine';
import {
  compileMachine,
  generateChunks,
  planGenerator,
  SEED_MACHINE,
  SplitGenerator,
  splitOptions,
} from '@statecraft/fsm';
import { createOperator } from '@statecraft/fsm/operator';
import { Bench } from 'tinybench';

const BATCH = 65_536;
const PARTITIONS = 128;
const machine = compileMachine(SEED_MACHINE);

const STREAM_CHUNKS = 100;
const fullRange = { partitions: PARTITIONS, keyGroupStart: 0, keyGroupEnd: PARTITIONS - 1 };

/**
 * A stream of consecutive chunks from 10 generator splits (about 10k live addresses), as parts for
 * one operator owning every key group. The step benchmark walks through them in order, so the
 * operator sees the stream it would see in a job; it starts over with a fresh operator at the end.
 */
function streamParts(): WorkerPart[] {
  const partitioner = new Partitioner(1, PARTITIONS);
  const chunks = generateChunks({
    machine,
    events: BATCH * STREAM_CHUNKS,
    splits: 10,
    chunkSize: BATCH,
    seed: 9,
  });
  return [...chunks].map((chunk) => partitioner.split(chunk)[0]!);
}

const parts = streamParts();
const part = parts[0]!;
let operator = createOperator({ machine: SEED_MACHINE }, fullRange);
let nextPart = 0;
let ttlOperator = createOperator({ machine: SEED_MACHINE }, fullRange);
let nextTtlPart = parts.length;
const out = new OutputBuffer();

function tableBench(keys: number): () => void {
  const table = new AddressTable();
  const addresses = new Uint32Array(keys);
  for (let i = 0; i < keys; i++) addresses[i] = Math.imul(i + 1, 2654435761) >>> 0;
  for (const address of addresses) table.set(address, 1);
  let cursor = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const address = addresses[cursor]!;
      cursor = cursor + 1 === keys ? 0 : cursor + 1;
      table.set(address, (table.get(address) % 200) + 1);
    }
  };
}

const generator = new SplitGenerator(machine, splitOptions(planGenerator({ machine, events: 0 }), 0));
const genAddresses = new Uint32Array(BATCH);
const genTypes = new Uint8Array(BATCH);
const partitioner = new Partitioner(2, PARTITIONS);

/** ~4 MiB of input in each format, made from the generator's stream, parsed whole per iteration. */
const PARSE_EVENTS = 262_144;
const parseBatch = [
  ...generateChunks({ machine, events: PARSE_EVENTS, chunkSize: PARSE_EVENTS, seed: 3 }),
][0]!;
const parseInputs = {
  csv: Buffer.from(formatCsvEvents(parseBatch, machine.eventNames)),
  ndjson: Buffer.from(formatNdjsonEvents(parseBatch, machine.eventNames)),
  'flink-binary': encodeFlinkBinaryEvents(parseBatch),
} as const;
const parseTarget = createEventBatch(PARSE_EVENTS + 1);

/** A batch of the generator's stream, encoded as `generate` writes it: bytes into a reused 1 MiB buffer. */
const encodeBatch = { count: BATCH, addresses: parseBatch.addresses, types: parseBatch.types };
function encoderBench(format: 'csv' | 'ndjson'): () => void {
  const encoder = new EventEncoder(format, machine.eventNames);
  const buffer = Buffer.allocUnsafe(1 << 20);
  return () => {
    let from = 0;
    while (from < encodeBatch.count) from = encoder.encode(encodeBatch, from, buffer, 0);
  };
}
/** The same as `generate` wrote it before: a string per batch, made into bytes by the stream. */
const stringEncoders = {
  csv: () => Buffer.from(formatCsvEvents(encodeBatch, machine.eventNames)),
  ndjson: () => Buffer.from(formatNdjsonEvents(encodeBatch, machine.eventNames)),
};

function parserBench(format: InputFormat): () => void {
  const bytes = parseInputs[format];
  const parser = recordFormat(format).createParser(new EventLookup(machine.eventNames), new RejectLedger());
  return () => {
    parseTarget.count = 0;
    parser.restart(false);
    parser.parse(bytes, bytes.length, true, parseTarget, 0);
    if (parseTarget.count !== PARSE_EVENTS) throw new Error(`${format}: parsed ${parseTarget.count} events`);
  };
}

const bench = new Bench({ time: Number(process.env.BENCH_TIME_MS ?? 1000), warmupTime: 200 });
bench
  .add('state machine step (10k live addresses)', () => {
    if (nextPart === parts.length) {
      operator = createOperator({ machine: SEED_MACHINE }, fullRange);
      nextPart = 0;
    }
    operator.process(parts[nextPart++]!, out, { chunk: nextPart, firstEvent: 0 });
    out.take();
  })
  .add('state machine step with --state-ttl (events)', () => {
    if (nextTtlPart === parts.length) {
      ttlOperator = createOperator(
        { machine: SEED_MACHINE, ttl: { unit: 'events', amount: 1_000_000 } },
        fullRange,
      );
      nextTtlPart = 0;
    }
    const chunk = nextTtlPart++;
    ttlOperator.process(parts[chunk]!, out, { chunk, firstEvent: chunk * BATCH });
    out.take();
  })
  .add('state table get+set, 10k addresses', tableBench(10_000))
  .add('state table get+set, 1M addresses', tableBench(1_000_000))
  .add('partitioner split, W=2 P=128', () => {
    partitioner.split(part);
  })
  .add('generator (one split)', () => generator.fill(genAddresses, genTypes, 0, BATCH))
  .add('CSV parser', parserBench('csv'))
  .add('NDJSON parser', parserBench('ndjson'))
  .add('flink-binary parser', parserBench('flink-binary'))
  .add('CSV encoder (bytes)', encoderBench('csv'))
  .add('NDJSON encoder (bytes)', encoderBench('ndjson'));
const baselines = new Bench({ time: 0, iterations: 8, warmupTime: 0, warmupIterations: 2 });
baselines
  .add('CSV encoder, strings (before)', stringEncoders.csv)
  .add('NDJSON encoder, strings (before)', stringEncoders.ndjson);

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores`);
await bench.run();
await baselines.run();
const tasks = [...bench.tasks, ...baselines.tasks];
const medianMs = (name: string): number | undefined => {
  const result = tasks.find((task) => task.name === name)?.result;
  return result?.state === 'completed' ? result.latency.p50 : undefined;
};
const rows = tasks.map((task) => {
  const result = task.result;
  if (result.state !== 'completed') return { benchmark: task.name, state: result.state };
  const events = task.name.endsWith('parser') ? PARSE_EVENTS : BATCH;
  return {
    benchmark: task.name,
    'median ms / batch': Number(result.latency.p50.toFixed(3)),
    'M events/s (median)': Number((events / result.latency.p50 / 1000).toFixed(1)),
    samples: result.latency.samplesCount,
  };
});
console.table(rows);
for (const format of ['CSV', 'NDJSON']) {
  const bytes = medianMs(`${format} encoder (bytes)`);
  const strings = medianMs(`${format} encoder, strings (before)`);
  if (bytes !== undefined && strings !== undefined) {
    console.log(`${format} encoder: ${(strings / bytes).toFixed(1)}× the string encoder (medians, this run)`);
  }
}
