/**
 * What checkpoints cost a whole `statecraft run` (Node's start-up included): the generator job
 * with `--workers 2` into an alerts file, without checkpoints and with each `--checkpoint-interval`
 * in INTERVALS, each run timed from spawn to exit, the setups interleaved round by round so that
 * load on a shared machine hits each alike; medians, and each one's ratio to the run without
 * checkpoints measured in the same rounds (also of the job's own rate from --stats, which leaves
 * out start-up). The load average is printed before and after.
 *
 *   node benchmarks/dist/checkpoint-command.js   EVENTS=30000000 ROUNDS=7 INTERVALS=250ms,1s
 *                                                WORKERS=2 BIN=path/to/bin.js DIR=d
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.js';

const EVENTS = Number(process.env.EVENTS ?? 30_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WORKERS = process.env.WORKERS ?? '2';
const INTERVALS = (process.env.INTERVALS ?? '250ms').split(',');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.BIN ?? join(ROOT, 'packages/cli/dist/bundle/bin.js');
const dir = process.env.DIR ?? mkdtempSync(join(tmpdir(), 'statecraft-checkpoint-command-bench-'));
const STREAM = ['--events', String(EVENTS), '--error-rate', '0.00002', '--seed', '1'];

interface Run {
  seconds: number;
  checkpoints: number;
  /** The job's own rate (--stats: from its first chunk to its end, start-up excluded). */
  eventsPerSecond: number;
}

/** One run to its end, into a fresh output file and checkpoint directory. */
function run(interval: string | undefined): Run {
  const output = join(dir, 'alerts.txt');
  const checkpoints = join(dir, 'checkpoints');
  const stats = join(dir, 'stats.json');
  rmSync(output, { force: true });
  rmSync(checkpoints, { recursive: true, force: true });
  const args = ['run', ...STREAM, '--workers', WORKERS, '--output', output, '--stats', stats, '--quiet'];
  if (interval !== undefined) args.push('--checkpoint-dir', checkpoints, '--checkpoint-interval', interval);
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${BIN} ${args.join(' ')}: ${result.stderr}`);
  const summary = JSON.parse(readFileSync(stats, 'utf8')) as Omit<Run, 'seconds'>;
  return { seconds, checkpoints: summary.checkpoints, eventsPerSecond: summary.eventsPerSecond };
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

mkdirSync(dir, { recursive: true });
try {
  console.log(
    `node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model}, ${EVENTS} events, ` +
      `--workers ${WORKERS}, ${ROUNDS} rounds; load average ${load()}`,
  );
  const setups: (string | undefined)[] = [undefined, ...INTERVALS];
  const runs = new Map<string | undefined, Run[]>(setups.map((setup) => [setup, []]));
  run(undefined); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    // The order rotates, so no setup always runs first (or after the same one).
    for (let i = 0; i < setups.length; i++) {
      const setup = setups[(round + i) % setups.length];
      runs.get(setup)!.push(run(setup));
    }
  }
  const base = median(runs.get(undefined)!.map((r) => r.seconds));
  const baseRate = median(runs.get(undefined)!.map((r) => r.eventsPerSecond));
  console.table(
    setups.map((setup) => {
      const done = runs.get(setup)!;
      const seconds = median(done.map((r) => r.seconds));
      const jobRate = median(done.map((r) => r.eventsPerSecond));
      return {
        checkpoints: setup === undefined ? 'none' : `every ${setup}`,
        'per run': median(done.map((r) => r.checkpoints)),
        's (median)': Number(seconds.toFixed(3)),
        'M events/s': Number((EVENTS / seconds / 1e6).toFixed(2)),
        'throughput ratio': Number((base / seconds).toFixed(3)),
        'job M events/s': Number((jobRate / 1e6).toFixed(2)),
        'job ratio': Number((jobRate / baseRate).toFixed(3)),
        's (all)': done.map((r) => r.seconds.toFixed(2)).join(' '),
      };
    }),
  );
  console.log(`load average after: ${load()}`);
} finally {
  if (process.env.DIR === undefined) rmSync(dir, { recursive: true, force: true });
}
