import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  type CliResult,
  collect,
  EXIT,
  linesOf,
  parseAlerts,
  parseSummary,
  startCli,
  useTempDir,
} from './helpers.js';

beforeAll(assertBuilt);
const dir = useTempDir();

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Starts a run far too long to finish, interrupts it once output appears, and waits for it. */
async function interruptedRun(
  workers: number,
  format: string,
): Promise<{ result: CliResult; out: string; stats: string }> {
  const out = join(dir(), `alerts-${workers}-${format}.out`);
  const stats = join(dir(), `stats-${workers}-${format}.json`);
  const child = startCli([
    'run',
    ...['--events', '200000000', '--error-rate', '0.01'],
    ...['--workers', String(workers), '--partitions', '64', '--format', format],
    ...['--output', out, '--stats', stats],
  ]);
  const done = collect(child, { timeoutMs: 40_000 });
  try {
    // Interrupt once the first alerts reach the file (so the SIGINT handler is surely installed,
    // however slowly a loaded machine starts the process), or after 20 s in any case.
    const started = Date.now();
    while (Date.now() - started < 20_000 && child.exitCode === null && (await sizeOf(out)) === 0) {
      await sleep(50);
    }
    // Let some more output through so the interrupt lands mid-stream.
    await sleep(300);
    expect(child.exitCode, 'the run ended before it was interrupted').toBeNull();
    child.kill('SIGINT');
    return { result: await done, out, stats };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await done.catch(() => undefined);
  }
}

describe('SIGINT', () => {
  it.each([
    [2, 'text'],
    [0, 'ndjson'],
    [1, 'csv'],
  ] as const)('--workers %i --format %s: exits 130 after flushing whole lines', async (workers, format) => {
    const { result, out, stats } = await interruptedRun(workers, format);
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(EXIT.interrupted);
    expect(result.stderr).not.toMatch(/^\s+at /m);

    const summary = parseSummary(result.stderr);
    expect(summary?.status).toBe('interrupted');
    expect(summary!.events).toBeGreaterThan(0);
    expect(summary!.events).toBeLessThan(200_000_000);

    const bytes = await readFile(out);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.at(-1)).toBe(0x0a);
    // parseAlerts throws on any line that is not a complete alert of the format.
    const alerts = parseAlerts(bytes, format);
    expect(alerts.length).toBeGreaterThan(0);
    expect(summary!.alerts).toBe(alerts.length);

    const written = JSON.parse(await readFile(stats, 'utf8'));
    expect(written).toMatchObject({ interrupted: true, alerts: alerts.length, events: summary!.events });
    if (format === 'csv') expect(linesOf(bytes)[0]).toBe('address,state,event');
  });
});
