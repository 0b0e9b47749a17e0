/**
 * `statecraft generate` as a whole command (Node's start-up included), events/s per format: each
 * run is timed from spawn to exit, writing a file on disk (deleted before each run, so truncating
 * the previous file costs nothing), the setups interleaved round by round so that load on a shared
 * machine hits each alike. Baselines measured in the same run: `run --input` reading the same file
 * (`--workers 0`, whole command), and, with BASELINE_BIN, another build of the command (e.g. the
 * commit before a change) generating the same file, whose bytes must be the same.
 *
 *   node benchmarks/dist/generate.js   EVENTS=10000000 ROUNDS=5 FORMATS=csv,ndjson
 *                                      BIN=path/to/bin.js BASELINE_BIN=path/to/old/bin.js DIR=d
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.js';

const EVENTS = Number(process.env.EVENTS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const FORMATS = (process.env.FORMATS ?? 'csv,ndjson').split(',');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.BIN ?? join(ROOT, 'packages/cli/dist/bundle/bin.js');
const BASELINE_BIN = process.env.BASELINE_BIN;
const dir = process.env.DIR ?? mkdtempSync(join(tmpdir(), 'statecraft-generate-bench-'));
const STREAM = ['--events', String(EVENTS), '--error-rate', '0.00002', '--seed', '1'];

/** Runs the command to its end; returns its wall-clock seconds. */
function timed(bin: string, args: readonly string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${result.stderr}`);
  return seconds;
}

function generate(bin: string, format: string, out: string): number {
  rmSync(out, { force: true });
  return timed(bin, ['generate', ...STREAM, '--format', format, '--out', out, '--quiet']);
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  console.log(
    `node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model}, ${EVENTS} events, ${ROUNDS} rounds`,
  );
  const seconds = new Map<string, number[]>();
  const record = (key: string, value: number) => seconds.set(key, [...(seconds.get(key) ?? []), value]);
  const loads: number[] = [];
  const bytes = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const format of FORMATS) {
      const out = join(dir, `events.${format}`);
      loads.push(loadavg()[0]!);
      if (BASELINE_BIN !== undefined) {
        record(`${format} baseline`, generate(BASELINE_BIN, format, out));
        if (round === 0) bytes.set(format, statSync(out).size);
        const before = round === 0 ? await sha256(out) : undefined;
        record(`${format} generate`, generate(BIN, format, out));
        if (before !== undefined && before !== (await sha256(out))) {
          throw new Error(`${format}: the two builds wrote different bytes`);
        }
      } else {
        record(`${format} generate`, generate(BIN, format, out));
        if (round === 0) bytes.set(format, statSync(out).size);
      }
      const read = ['run', '--input', out, '--input-format', format, '--workers', '0'];
      record(`${format} run`, timed(BIN, [...read, '--output', '/dev/null', '--quiet']));
    }
  }
  console.log(
    `load average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
  );
  const rate = (key: string) => EVENTS / median(seconds.get(key)!) / 1e6;
  const runs = (key: string) =>
    seconds
      .get(key)!
      .map((s) => (EVENTS / s / 1e6).toFixed(2))
      .join(', ');
  const header = BASELINE_BIN === undefined ? '' : ' baseline build M events/s | × baseline |';
  const rule = BASELINE_BIN === undefined ? '' : ' ---: | ---: |';
  console.log(
    `| format | file MB | generate M events/s |${header} run --input M events/s | generate × run | generate runs |`,
  );
  console.log(`| --- | ---: | ---: |${rule} ---: | ---: | --- |`);
  for (const format of FORMATS) {
    const generated = rate(`${format} generate`);
    const baseline =
      BASELINE_BIN === undefined
        ? ''
        : ` ${rate(`${format} baseline`).toFixed(2)} | ${(generated / rate(`${format} baseline`)).toFixed(2)} |`;
    const read = rate(`${format} run`);
    console.log(
      `| ${format} | ${(bytes.get(format)! / 1e6).toFixed(0)} | ${generated.toFixed(2)} |${baseline} ${read.toFixed(2)} | ${(generated / read).toFixed(2)} | ${runs(`${format} generate`)} |`,
    );
  }
  if (process.env.DIR === undefined) rmSync(dir, { recursive: true, force: true });
}

await main();
