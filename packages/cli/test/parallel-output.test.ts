import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, linesOf, parseAlerts, parseSummary, runCli, TEXT_ALERT } from './helpers.js';

const EVENTS = 200_000;
const STREAM = ['--events', String(EVENTS), '--seed', '7', '--error-rate', '0.01', '--quiet'];
const WORKERS = [0, 1, 2, 4];
const PARTITIONS = [1, 7, 128, 1024];
const COMBOS = WORKERS.flatMap((w) => PARTITIONS.filter((p) => w <= p).map((p) => [w, p] as const));
/** The formats other than text are checked on a spread of combinations (each run costs a process). */
const FORMAT_COMBOS = [
  [1, 1],
  [2, 7],
  [4, 128],
  [4, 1024],
] as const;

// --no-head-start: a job this short would otherwise run on the main thread before any thread is
// up (test/head-start.test.ts covers the head start); here the worker threads do every chunk.
const run = (workers: number, partitions: number, format: string) =>
  runCli([
    'run',
    ...STREAM,
    '--workers',
    String(workers),
    '--partitions',
    String(partitions),
    '--format',
    format,
    '--no-head-start',
  ]);

/** The reference: inline (no worker threads), one key group. */
const reference = new Map<string, Buffer>();

beforeAll(async () => {
  assertBuilt();
  for (const format of ['text', 'csv', 'ndjson']) {
    const result = await run(0, 1, format);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
    reference.set(format, result.stdout);
  }
});

describe('run output does not depend on --workers and --partitions', () => {
  it('the reference run has well-formed text alerts, about errorRate × events of them', () => {
    const lines = linesOf(reference.get('text')!);
    for (const line of lines) expect(line).toMatch(TEXT_ALERT);
    // An invalid event is emitted with probability ~0.01 per event for a live machine.
    expect(lines.length).toBeGreaterThan(EVENTS * 0.005);
    expect(lines.length).toBeLessThan(EVENTS * 0.02);
    expect(reference.get('text')!.at(-1)).toBe(0x0a);
  });

  it.each(COMBOS)('--format text, --workers %i --partitions %i: byte-identical', async (w, p) => {
    const result = await run(w, p, 'text');
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(reference.get('text')!)).toBe(true);
  });

  it.each(FORMAT_COMBOS)('--format csv, --workers %i --partitions %i: byte-identical', async (w, p) => {
    const result = await run(w, p, 'csv');
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(reference.get('csv')!)).toBe(true);
  });

  it.each(FORMAT_COMBOS)('--format ndjson, --workers %i --partitions %i: byte-identical', async (w, p) => {
    const result = await run(w, p, 'ndjson');
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(reference.get('ndjson')!)).toBe(true);
  });

  it('csv starts with the header address,state,event; every row has 3 fields', () => {
    const text = reference.get('csv')!.toString('utf8');
    expect(text.startsWith('address,state,event\n')).toBe(true);
    expect(parseAlerts(text, 'csv').length).toBeGreaterThan(0);
  });

  it('ndjson lines parse to {address, state, event}', () => {
    for (const line of linesOf(reference.get('ndjson')!)) {
      const value = JSON.parse(line) as Record<string, unknown>;
      expect(value).toEqual(
        expect.objectContaining({
          address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
          state: expect.stringMatching(/^\w+$/),
          event: expect.stringMatching(/^[a-g]$/),
        }),
      );
    }
  });

  it('the three formats describe the same alerts in the same order', () => {
    const text = parseAlerts(reference.get('text')!, 'text');
    const csv = parseAlerts(reference.get('csv')!, 'csv');
    const ndjson = parseAlerts(reference.get('ndjson')!, 'ndjson');
    expect(text.length).toBeGreaterThan(0);
    expect(csv).toEqual(text);
    expect(ndjson).toEqual(text);
  });

  it('the summary counts the events and the alerts of the output', async () => {
    const result = await runCli(['run', '--events', String(EVENTS), '--seed', '7', '--error-rate', '0.01']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout.equals(reference.get('text')!)).toBe(true);
    expect(parseSummary(result.stderr)).toEqual({
      status: 'done',
      events: EVENTS,
      alerts: linesOf(reference.get('text')!).length,
      rejected: 0,
    });
  });
});
