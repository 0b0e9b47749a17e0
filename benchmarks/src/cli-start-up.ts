/**
 * How long the statecraft command takes to answer when it runs no job: `--help`, a command's
 * `--help`, and argument errors (an unknown flag, a value outside the choices), each a fresh
 * process, against `node -e 0` and an empty ES module measured in the same rounds (interleaved,
 * so load on a shared machine hits every row alike). Prints the medians and their ratios to
 * `node -e 0`. When pnpm is on the PATH, `pnpm -s statecraft --help` and `pnpm --version` too:
 * what `pnpm statecraft` adds is pnpm's own start-up.
 *
 *   pnpm bench:start-up    ROUNDS=30 (default 20; --quick 10); BIN=path/to/bin.js times another
 *                          build; BEFORE=path/to/bin.js adds that build's rows, to compare in one run
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.js';

const quick = process.argv.includes('--quick');
const ROUNDS = Number(process.env.ROUNDS ?? (quick ? 10 : 20));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.BIN ?? join(ROOT, 'packages/cli/dist/bundle/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'statecraft-start-up-bench-'));
const emptyModule = join(dir, 'empty.mjs');
writeFileSync(emptyModule, '');

interface Row {
  name: string;
  command: string;
  args: string[];
  /** The exit status the row must end with: a row that fails otherwise measured the wrong thing. */
  status: number;
}

const node = (name: string, args: string[], status = 0): Row => ({
  name,
  command: process.execPath,
  args,
  status,
});
const commandRows = (bin: string, label: string): Row[] => [
  node(`statecraft --help${label}`, [bin, '--help']),
  node(`statecraft run --help${label}`, [bin, 'run', '--help']),
  node(`statecraft run --bogus-flag${label}`, [bin, 'run', '--bogus-flag'], 2),
  node(`statecraft run --format xml${label}`, [bin, 'run', '--format', 'xml'], 2),
  node(`statecraft machine check seed${label}`, [bin, 'machine', 'check', 'seed']),
];
const rows: Row[] = [
  node('node -e 0', ['-e', '0']),
  node('node empty.mjs', [emptyModule]),
  ...commandRows(BIN, ''),
  ...(process.env.BEFORE === undefined ? [] : commandRows(process.env.BEFORE, ' (before)')),
];
const pnpm = spawnSync('pnpm', ['--version'], { stdio: 'ignore', cwd: ROOT });
if (pnpm.status === 0) {
  rows.push(
    { name: 'pnpm --version', command: 'pnpm', args: ['--version'], status: 0 },
    { name: 'pnpm -s statecraft --help', command: 'pnpm', args: ['-s', 'statecraft', '--help'], status: 0 },
  );
}

function timeOnce(row: Row): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(row.command, row.args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== row.status) {
    throw new Error(`${row.name}: exit ${result.status} (expected ${row.status}): ${result.stderr}`);
  }
  return ms;
}

try {
  const times = rows.map(() => [] as number[]);
  for (const row of rows) timeOnce(row); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, row] of rows.entries()) times[i]!.push(timeOnce(row));
  }
  const base = median(times[0]!);
  console.log(
    `command start-up: ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores, Node ${process.version}, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; median of ${ROUNDS} interleaved runs`,
  );
  console.table(
    rows.map((row, i) => ({
      command: row.name,
      'median ms': Number(median(times[i]!).toFixed(1)),
      'min ms': Number(Math.min(...times[i]!).toFixed(1)),
      'ratio to node -e 0': Number((median(times[i]!) / base).toFixed(2)),
    })),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
