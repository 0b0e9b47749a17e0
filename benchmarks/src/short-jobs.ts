/**
 * Short and mid-sized jobs as whole commands: `statecraft run --events N` inline (`--workers 0`),
 * with two workers (`--workers 2`, which head-starts on the main thread; and, for this build,
 * `--workers 2 --no-head-start`) and with the default worker count, each a fresh process from
 * spawn to exit (alerts to /dev/null), against `node -e 0`, interleaved rounds so load on a shared
 * machine hits every row alike. Prints medians, and per size the ratio inline/two workers (> 1:
 * two workers are faster) and default/best.
 *
 *   pnpm bench:short-jobs   ROUNDS=9 (default 7; --quick 3); SIZES=100000,1000000 (default
 *                           100000,1000000,5000000); BIN=path/to/bin.js times another build;
 *                           BEFORE=path/to/bin.js adds that build's rows, to compare in one run
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.js';

const quick = process.argv.includes('--quick');
const ROUNDS = Number(process.env.ROUNDS ?? (quick ? 3 : 7));
const SIZES = (process.env.SIZES ?? '100000,1000000,5000000').split(',').map(Number);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.BIN ?? join(ROOT, 'packages/cli/dist/bundle/bin.js');

interface Row {
  name: string;
  args: string[];
}

const jobRows = (bin: string, label: string): Row[] =>
  SIZES.flatMap((events) =>
    [
      ['inline', ['--workers', '0']],
      ['2 workers', ['--workers', '2']],
      // A build before --head-start has no such flag (its two workers never head-start).
      ...(label === '' ? [['2 workers, no head start', ['--workers', '2', '--no-head-start']]] : []),
      ['default', []],
    ].map(([mode, flags]) => ({
      name: `${events.toLocaleString('en-US')} events, ${mode}${label}`,
      args: [
        bin,
        'run',
        '--events',
        String(events),
        '--output',
        '/dev/null',
        '--quiet',
        ...(flags as string[]),
      ],
    })),
  );

const rows: Row[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  ...jobRows(BIN, ''),
  ...(process.env.BEFORE === undefined ? [] : jobRows(process.env.BEFORE, ' (before)')),
];

function timeOnce(row: Row): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, row.args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${row.name}: exit ${result.status}: ${result.stderr}`);
  return ms;
}

const times = rows.map(() => [] as number[]);
for (const row of rows) timeOnce(row); // warm the file cache and Node's compile cache
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, row] of rows.entries()) times[i]!.push(timeOnce(row));
}
const medians = new Map(rows.map((row, i) => [row.name, median(times[i]!)]));
console.log(
  `short jobs: ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores, Node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; median of ${ROUNDS} interleaved runs, whole commands`,
);
console.table(
  rows.map((row, i) => ({
    command: row.name,
    'median ms': Number(median(times[i]!).toFixed(0)),
    'min ms': Number(Math.min(...times[i]!).toFixed(0)),
  })),
);
const ratios = (label: string) =>
  SIZES.map((events) => {
    const name = (mode: string) => `${events.toLocaleString('en-US')} events, ${mode}${label}`;
    const inline = medians.get(name('inline'))!;
    const two = medians.get(name('2 workers'))!;
    const threadsOnly = medians.get(name('2 workers, no head start'));
    const chosen = medians.get(name('default'))!;
    return {
      events: `${events.toLocaleString('en-US')}${label}`,
      'inline / 2 workers': Number((inline / two).toFixed(2)),
      'inline / no head start': threadsOnly === undefined ? '-' : Number((inline / threadsOnly).toFixed(2)),
      'default / best': Number((chosen / Math.min(inline, two)).toFixed(2)),
    };
  });
console.table([...ratios(''), ...(process.env.BEFORE === undefined ? [] : ratios(' (before)'))]);
