/**
 * Events per second of the detection job over a generated CSV file and its gzip, with --workers 0,
 * 1 and 2, the runs interleaved round by round (so load on a shared machine hits every setup
 * alike); prints each setup's median and its ratio to --workers 0 of the same input.
 *
 *   pnpm bench:inputs      EVENTS=20000000 ROUNDS=3 WORKERS=0,1,2; DIR=d keeps (and reuses) the files;
 *                          BIN=path/to/bin.js runs another build of the command
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { median } from './median.js';

const EVENTS = Number(process.env.EVENTS ?? 20_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WORKERS = (process.env.WORKERS ?? '0,1,2').split(',').map(Number);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.BIN ?? join(ROOT, 'packages/cli/dist/bundle/bin.js');
const keep = process.env.DIR !== undefined;
const dir = process.env.DIR ?? mkdtempSync(join(tmpdir(), 'statecraft-inputs-bench-'));

function statecraft(args: readonly string[]): void {
  const result = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`statecraft ${args.join(' ')}: ${result.stderr}`);
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, `events-${EVENTS}.csv`);
  const gz = `${csv}.gz`;
  if (!existsSync(csv))
    statecraft(['generate', '--events', String(EVENTS), '--error-rate', '0.00002', '--out', csv, '--quiet']);
  if (!existsSync(gz)) await pipeline(createReadStream(csv), createGzip(), createWriteStream(gz));
  const inputs = { csv, gz };
  console.log(`node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model}, ${EVENTS} events`);
  const rates = new Map<string, number[]>();
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, input] of Object.entries(inputs)) {
      for (const workers of WORKERS) {
        const stats = join(dir, 'stats.json');
        loads.push(loadavg()[0]!);
        statecraft([
          'run',
          '--input',
          input,
          '--workers',
          String(workers),
          '--output',
          '/dev/null',
          '--quiet',
          '--stats',
          stats,
        ]);
        const { eventsPerSecond } = JSON.parse(readFileSync(stats, 'utf8')) as { eventsPerSecond: number };
        const key = `${name} --workers ${workers}`;
        rates.set(key, [...(rates.get(key) ?? []), eventsPerSecond]);
      }
    }
  }
  console.log(
    `load average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
  );
  console.log('| input | workers | median events/s | × workers 0 | runs (M events/s) |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const name of Object.keys(inputs)) {
    const base = median(rates.get(`${name} --workers ${WORKERS[0]}`)!);
    for (const workers of WORKERS) {
      const runs = rates.get(`${name} --workers ${workers}`)!;
      const rate = median(runs);
      const list = runs.map((r) => (r / 1e6).toFixed(2)).join(', ');
      console.log(
        `| ${name} | ${workers} | ${(rate / 1e6).toFixed(2)} M | ${(rate / base).toFixed(2)} | ${list} |`,
      );
    }
  }
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

await main();
