/**
 * Kafka throughput against a real Apache Kafka broker (scripts/broker), whole commands, in one run:
 * the broker's own JVM tools as the reference, and Statecraft on the same topic.
 *
 *   produce:  `statecraft produce` (one record per event, Flink's 8-byte value, 4-byte key) against
 *             `ProducerPerformance` (8-byte records, acks=all, 1 MB batches with 10 ms linger: the
 *             JVM producer's defaults, 16 KB batches, make it several times slower), each
 *             PRODUCE_EVENTS records;
 *   consume:  `ConsumerPerformance` against `statecraft run --until-end --workers 2`, each reading
 *             the whole EVENTS-event topic in a fresh group, and the run again with per-partition
 *             checkpoints in a directory, and with exactly-once into an alerts topic; rounds take
 *             turns.
 *
 *   pnpm bench:kafka          EVENTS=6000000 PRODUCE_EVENTS=3000000 ROUNDS=3 PARTITIONS=4 by default
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startBroker } from '../../scripts/broker/broker.js';
import { kafkaJars, kafkaVersion } from '../../scripts/broker/kafka-jars.js';

const EVENTS = Number(process.env.EVENTS ?? 6_000_000);
const PRODUCE_EVENTS = Number(process.env.PRODUCE_EVENTS ?? 3_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PARTITIONS = Number(process.env.PARTITIONS ?? 4);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const work = mkdtempSync(join(tmpdir(), 'statecraft-kafka-bench-'));
const run = promisify(execFile);

/** Runs a command to its end; resolves with its wall time in ms and its stdout. */
function timed(command: string, args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-4000);
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, stdout })
        : reject(new Error(`${command} ${args.slice(0, 3).join(' ')}… exited with ${code}: ${stderr}`)),
    );
  });
}

const statecraft = (args: readonly string[]) => timed(process.execPath, [BIN, ...args]);

let groups = 0;
const freshGroup = () => `bench-${process.pid}-${groups++}`;
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perSecond = (events: number, ms: number) => (events * 1000) / ms;
const format = (value: number) => Math.round(value).toLocaleString('en-US');

async function main(): Promise<void> {
  const jars = `${await kafkaJars()}/*`;
  const { stderr: javaVersion } = await run('java', ['-version']);
  console.log(
    `Kafka throughput, real broker (Apache Kafka ${kafkaVersion()}, one node, KRaft): ${format(EVENTS)} events in ` +
      `${PARTITIONS} partitions, median of ${ROUNDS}; Node ${process.version}, ${availableParallelism()} cores ` +
      `(${cpus()[0]?.model.trim()}); ${javaVersion.split('\n')[0]}`,
  );
  const broker = await startBroker({
    heapMb: 1024,
    topics: [
      { name: 'bench-events', partitions: PARTITIONS },
      { name: 'bench-alerts', partitions: PARTITIONS },
      ...Array.from({ length: ROUNDS }, (_, i) => ({ name: `bench-produce-${i}`, partitions: PARTITIONS })),
      ...Array.from({ length: ROUNDS }, (_, i) => ({
        name: `bench-jvm-produce-${i}`,
        partitions: PARTITIONS,
      })),
    ],
  });
  const brokers = broker.bootstrap;
  try {
    const rows: { step: string; events: number; ms: number[] }[] = [
      {
        step: '`ProducerPerformance` (JVM, 8-byte records, acks=all, 1 MB batches)',
        events: PRODUCE_EVENTS,
        ms: [],
      },
      { step: '`statecraft produce` (Flink events, key = address)', events: PRODUCE_EVENTS, ms: [] },
      { step: '`ConsumerPerformance` (JVM consumer, fresh group)', events: EVENTS, ms: [] },
      { step: '`statecraft run --until-end --workers 2` (fresh group)', events: EVENTS, ms: [] },
      {
        step: 'the same with `--output-dir` and `--checkpoint-dir`, checkpoints every 1 s',
        events: EVENTS,
        ms: [],
      },
      {
        step: 'the same with `--guarantee exactly-once` (`--alerts-topic`, `--state-topic`), checkpoints every 1 s',
        events: EVENTS,
        ms: [],
      },
    ];
    const fill = await statecraft([
      'produce',
      '--brokers',
      brokers,
      '--topic',
      'bench-events',
      '--events',
      String(EVENTS),
      '--quiet',
    ]);
    console.log(`filled bench-events with ${format(EVENTS)} events in ${(fill.ms / 1000).toFixed(1)} s`);
    for (let round = 0; round < ROUNDS; round++) {
      rows[0]!.ms.push(
        (
          await timed('java', [
            ...['-cp', jars, 'org.apache.kafka.tools.ProducerPerformance'],
            ...['--topic', `bench-jvm-produce-${round}`, '--num-records', String(PRODUCE_EVENTS)],
            ...['--record-size', '8', '--throughput', '-1'],
            ...[
              '--producer-props',
              `bootstrap.servers=${brokers}`,
              'acks=all',
              'batch.size=1000000',
              'linger.ms=10',
            ],
          ])
        ).ms,
      );
      rows[1]!.ms.push(
        (
          await statecraft([
            ...['produce', '--brokers', brokers, '--topic', `bench-produce-${round}`],
            ...['--events', String(PRODUCE_EVENTS), '--quiet'],
          ])
        ).ms,
      );
      const jvm = await timed('java', [
        ...['-cp', jars, 'org.apache.kafka.tools.ConsumerPerformance'],
        ...['--bootstrap-server', brokers, '--topic', 'bench-events', '--group', freshGroup()],
        ...['--num-records', String(EVENTS), '--timeout', '60000'],
      ]);
      rows[2]!.ms.push(jvm.ms);
      const stats = join(work, `run-${round}.json`);
      const ours = await statecraft([
        ...['run', '--brokers', brokers, '--topic', 'bench-events', '--group', freshGroup(), '--until-end'],
        ...['--workers', '2', '--output', '/dev/null', '--stats', stats, '--quiet'],
      ]);
      const events = (JSON.parse(readFileSync(stats, 'utf8')) as { events: number }).events;
      if (events !== EVENTS) throw new Error(`statecraft run read ${events} events, expected ${EVENTS}`);
      rows[3]!.ms.push(ours.ms);
      const group = freshGroup();
      const checkpointed = await statecraft([
        ...['run', '--brokers', brokers, '--topic', 'bench-events', '--group', group, '--until-end'],
        ...['--workers', '2', '--output-dir', join(work, `${group}-alerts`), '--quiet'],
        ...['--checkpoint-dir', join(work, `${group}-checkpoints`), '--checkpoint-interval', '1s'],
      ]);
      rows[4]!.ms.push(checkpointed.ms);
      const eosGroup = freshGroup();
      const exactlyOnce = await statecraft([
        ...['run', '--brokers', brokers, '--topic', 'bench-events', '--group', eosGroup, '--until-end'],
        ...['--workers', '2', '--guarantee', 'exactly-once', '--alerts-topic', 'bench-alerts'],
        ...['--state-topic', `${eosGroup}-state`, '--checkpoint-interval', '1s', '--quiet'],
      ]);
      rows[5]!.ms.push(exactlyOnce.ms);
      console.log(`round ${round + 1}/${ROUNDS} done`);
    }
    const rates = rows.map(({ events, ms }) => perSecond(events, median(ms)));
    console.log(
      '\n| command (whole, Node or JVM start-up included) | records | median s | records/s | vs JVM |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [i, { step, events, ms }] of rows.entries()) {
      const reference = rates[i < 2 ? 0 : 2]!;
      console.log(
        `| ${step} | ${format(events)} | ${(median(ms) / 1000).toFixed(2)} | ${format(rates[i]!)} | ${(rates[i]! / reference).toFixed(2)} |`,
      );
    }
  } finally {
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
