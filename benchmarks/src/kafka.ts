/**
 * Events per second through Kafka, end to end with the real command and the development broker:
 * `statecraft produce` into a 4-partition topic, then `statecraft run --until-end` over it with 1
 * process and with 2 processes in one group (each run a fresh group, so each reads the whole
 * topic). Rates are the topic's events over the run's wall time from the first process's start to
 * the last one's exit, so they include Node's start-up, joining the group and the end-of-topic
 * check (about a second); `job` rates leave those out (events over the engine's elapsed time).
 *
 *   pnpm bench:kafka            EVENTS=1000000 (per produce round) ROUNDS=3 by default
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PARTITIONS = 4;
const TOPIC = 'bench-events';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const work = mkdtempSync(join(tmpdir(), 'statecraft-kafka-bench-'));

interface Outcome {
  wallMs: number;
  jobMs: number;
  events: number;
}

/** The development broker; new groups wait 3 s for more members (Kafka's default), so both processes share from the start. */
async function startBroker(): Promise<{ bootstrap: string; process: ChildProcess }> {
  const binary = execFileSync(join(ROOT, 'scripts/broker/build.sh'), { encoding: 'utf8' }).trim();
  const child = spawn(binary, ['--topic', `${TOPIC}:${PARTITIONS}`, '--initial-rebalance-delay', '3000'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      const match = /BOOTSTRAP=(\S+)/.exec(data.toString());
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error('the broker exited')));
  });
  return { bootstrap, process: child };
}

function statecraft(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`statecraft ${args[0]}: ${stderr}`)),
    );
  });
}

let groups = 0;

interface Setup {
  processes: number;
  workers: number;
  /** Per-partition files and checkpoints every second, in a directory of the group's own. */
  checkpoints: boolean;
}

/** `processes` members of a fresh group, `workers` threads each, read the whole topic. */
async function consume(bootstrap: string, { processes, workers, checkpoints }: Setup): Promise<Outcome> {
  const group = `bench-${process.pid}-${groups++}`;
  const output = checkpoints
    ? [
        ...['--output-dir', join(work, `${group}-alerts`)],
        ...['--checkpoint-dir', join(work, `${group}-checkpoints`), '--checkpoint-interval', '1s'],
      ]
    : ['--output', '/dev/null'];
  const started = performance.now();
  const stats = Array.from({ length: processes }, (_, i) => join(work, `${group}-${i}.json`));
  await Promise.all(
    stats.map((path) =>
      statecraft([
        'run',
        ...['--brokers', bootstrap, '--topic', TOPIC, '--group', group, '--until-end'],
        ...['--workers', String(workers), ...output, '--stats', path, '--quiet'],
      ]),
    ),
  );
  const wallMs = performance.now() - started;
  const runs = stats.map(
    (path) => JSON.parse(readFileSync(path, 'utf8')) as { events: number; elapsedMs: number },
  );
  return {
    wallMs,
    jobMs: Math.max(...runs.map((r) => r.elapsedMs)),
    events: runs.reduce((n, r) => n + r.events, 0),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rate = (events: number, ms: number) => Math.round((events * 1000) / ms).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(
    `Kafka throughput: ${EVENTS.toLocaleString('en-US')} events, ${PARTITIONS} partitions, median of ${ROUNDS}; ` +
      `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()})`,
  );
  const broker = await startBroker();
  try {
    const produced: number[] = [];
    // Each round produces the stream again: the topic grows, and every consuming run reads all of it.
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await statecraft([
        'produce',
        '--brokers',
        broker.bootstrap,
        '--topic',
        TOPIC,
        '--events',
        String(EVENTS),
        '--quiet',
      ]);
      produced.push(performance.now() - started);
    }
    const total = EVENTS * ROUNDS;
    console.log(`\n| step | events | wall events/s | job events/s |\n| --- | ---: | ---: | ---: |`);
    console.log(
      `| produce (1 process) | ${EVENTS.toLocaleString('en-US')} | ${rate(EVENTS, median(produced))} | |`,
    );
    const setups: Setup[] = [
      { processes: 1, workers: 1, checkpoints: false },
      { processes: 1, workers: 2, checkpoints: false },
      { processes: 2, workers: 1, checkpoints: false },
      { processes: 1, workers: 1, checkpoints: true },
      { processes: 2, workers: 1, checkpoints: true },
    ];
    // Rounds go over every setup in turn, so that drift in the machine's load spreads over all rows.
    const outcomes = setups.map((): Outcome[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, setup] of setups.entries()) {
        const outcome = await consume(broker.bootstrap, setup);
        if (outcome.events !== total) throw new Error(`read ${outcome.events} events, expected ${total}`);
        outcomes[i]!.push(outcome);
      }
    }
    for (const [i, { processes, workers, checkpoints }] of setups.entries()) {
      const runs = outcomes[i]!;
      console.log(
        `| run --until-end, ${processes} process${processes > 1 ? 'es' : ''} × ${workers} worker${workers > 1 ? 's' : ''}` +
          `${checkpoints ? ', --output-dir, checkpoints every 1 s' : ''} | ` +
          `${total.toLocaleString('en-US')} | ${rate(total, median(runs.map((o) => o.wallMs)))} | ` +
          `${rate(total, median(runs.map((o) => o.jobMs)))} |`,
      );
    }
  } finally {
    broker.process.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
