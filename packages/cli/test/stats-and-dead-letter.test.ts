import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  EXIT,
  linesOf,
  parseAlerts,
  parseSummary,
  runCli,
  TEXT_ALERT,
  useTempDir,
} from './helpers.js';

beforeAll(assertBuilt);
const dir = useTempDir();

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

describe('--stats', () => {
  it.each([
    [0, 1],
    [2, 32],
  ])('--workers %i --partitions %i: counts, timing and the job shape', async (workers, partitions) => {
    const out = join(dir(), `alerts-${workers}-${partitions}.txt`);
    const statsPath = join(dir(), `stats-${workers}-${partitions}.json`);
    const events = 50_000;
    const result = await runCli([
      'run',
      ...['--events', String(events), '--error-rate', '0.01', '--seed', '3'],
      ...['--workers', String(workers), '--partitions', String(partitions)],
      ...['--output', out, '--stats', statsPath],
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const stats = await readJson(statsPath);
    const alertLines = linesOf(await readFile(out));
    expect(alertLines.length).toBeGreaterThan(0);
    for (const line of alertLines) expect(line).toMatch(TEXT_ALERT);
    expect(stats).toMatchObject({ events, alerts: alertLines.length, rejected: 0, workers, partitions });
    expect(typeof stats.elapsedMs).toBe('number');
    expect(stats.elapsedMs as number).toBeGreaterThan(0);
    expect(typeof stats.eventsPerSecond).toBe('number');
    expect(stats.eventsPerSecond as number).toBeCloseTo((events * 1000) / (stats.elapsedMs as number), 3);
    // The summary on stderr agrees with the stats file.
    expect(parseSummary(result.stderr)).toEqual({
      status: 'done',
      events,
      alerts: alertLines.length,
      rejected: 0,
    });
    expect(result.stderr).toContain(`workers ${workers}, partitions ${partitions}`);
  });

  it('counts rejected records of an input file', async () => {
    const input = join(dir(), 'with-rejects.csv');
    await writeFile(input, 'address,type\n1.2.3.4,a\n\n1.2.3.4,c\nnope\n9.9.9.9,q\n');
    const statsPath = join(dir(), 'with-rejects.json');
    const result = await runCli(['run', '--input', input, '--workers', '1', '--stats', statsPath]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.toString()).toBe('ALERT 1.2.3.4 : W -> c\n');
    const stats = await readJson(statsPath);
    expect(stats).toMatchObject({ events: 2, alerts: 1, rejected: 3, workers: 1 });
    expect(parseSummary(result.stderr)).toEqual({ status: 'done', events: 2, alerts: 1, rejected: 3 });
    expect(result.stderr).toMatch(/rejected 1: empty line \(empty-line\)/);
    expect(result.stderr).toMatch(/\(column-count\)/);
    expect(result.stderr).toMatch(/\(unknown-event\)/);
  });
});

describe('summary', () => {
  it('is printed on stderr with the events and alerts', async () => {
    const result = await runCli(['run', '--events', '20000', '--error-rate', '0.02', '--workers', '1']);
    expect(result.code).toBe(EXIT.ok);
    const alerts = parseAlerts(result.stdout, 'text');
    expect(alerts.length).toBeGreaterThan(0);
    expect(parseSummary(result.stderr)).toEqual({
      status: 'done',
      events: 20_000,
      alerts: alerts.length,
      rejected: 0,
    });
  });

  it('--quiet prints nothing on stderr, and the same alerts on stdout', async () => {
    const flags = ['run', '--events', '20000', '--error-rate', '0.02', '--workers', '1'];
    const loud = await runCli(flags);
    const statsPath = join(dir(), 'quiet-stats.json');
    const quiet = await runCli([...flags, '--quiet', '--stats', statsPath]);
    expect(quiet.code).toBe(EXIT.ok);
    expect(quiet.stderr).toBe('');
    expect(loud.stderr).not.toBe('');
    expect(quiet.stdout.equals(loud.stdout)).toBe(true);
    expect(await readJson(statsPath)).toMatchObject({ events: 20_000 });
  });

  it('generate --quiet prints nothing on stderr', async () => {
    const result = await runCli(['generate', '--events', '100', '--out', join(dir(), 'q.csv'), '--quiet']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
  });
});

describe('--dead-letter', () => {
  /** Bad lines (without their newline) and the reason each is rejected for. */
  const BAD: [Buffer, string][] = [
    [Buffer.from(''), 'empty-line'],
    [Buffer.from('garbage'), 'column-count'],
    [Buffer.from('1.2.3.4,a,b'), 'column-count'],
    [Buffer.from('300.1.1.1,a'), 'address-out-of-range'],
    [Buffer.from('1.2.3,b'), 'bad-address'],
    [Buffer.from('-5,c'), 'address-out-of-range'],
    [Buffer.from('4294967296,a'), 'address-out-of-range'],
    [Buffer.from('1.2.3.4,z'), 'unknown-event'],
    [Buffer.from([0x31, 0x2e, 0xff, 0x2e, 0x33, 0x2e, 0x34, 0x2c, 0x61]), 'bad-address'],
    [Buffer.from([0x35, 0x2c, 0xc3, 0x28]), 'unknown-event'],
  ];

  it('writes one record per bad line and processes every valid line around them', async () => {
    const clean = join(dir(), 'clean.csv');
    const generated = await runCli([
      'generate',
      '--events',
      '20000',
      '--error-rate',
      '0.02',
      '--seed',
      '11',
      '--out',
      clean,
      '--quiet',
    ]);
    expect(generated.code, generated.stderr).toBe(EXIT.ok);
    const cleanLines = (await readFile(clean)).toString('latin1').split('\n');
    expect(cleanLines.pop()).toBe('');

    // Insert the bad lines between valid ones (after the header), several times, and one last.
    const parts: Buffer[] = [];
    const expected: { line: number; offset: number; reason: string; record: string }[] = [];
    let offset = 0;
    let lineNumber = 0;
    const push = (line: Buffer) => {
      lineNumber++;
      parts.push(line, Buffer.from('\n'));
      offset += line.length + 1;
    };
    let k = 0;
    cleanLines.forEach((text, index) => {
      push(Buffer.from(text, 'latin1'));
      if (index > 0 && index % 997 === 0) {
        const [bad, reason] = BAD[k++ % BAD.length]!;
        expected.push({ line: lineNumber + 1, offset, reason, record: bad.toString('utf8') });
        push(bad);
      }
    });
    const [lastBad, lastReason] = BAD[1]!;
    expected.push({ line: lineNumber + 1, offset, reason: lastReason, record: lastBad.toString('utf8') });
    push(lastBad);
    expect(expected.length).toBeGreaterThan(BAD.length);
    const dirty = join(dir(), 'dirty.csv');
    await writeFile(dirty, Buffer.concat(parts));

    const deadLetter = join(dir(), 'dead.ndjson');
    const statsPath = join(dir(), 'dead-stats.json');
    const job = ['--workers', '2', '--partitions', '16'];
    const reference = await runCli(['run', '--input', clean, ...job]);
    const result = await runCli([
      'run',
      ...['--input', dirty, ...job, '--dead-letter', deadLetter, '--stats', statsPath],
    ]);
    expect(reference.code, reference.stderr).toBe(EXIT.ok);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(parseAlerts(reference.stdout, 'text').length).toBeGreaterThan(0);
    expect(result.stdout.equals(reference.stdout)).toBe(true);

    const records = linesOf(await readFile(deadLetter, 'utf8')).map((line) => JSON.parse(line));
    expect(records.map(({ line, offset, reason, record }) => ({ line, offset, reason, record }))).toEqual(
      expected,
    );
    expect(records.some((r) => r.record.includes('\uFFFD'))).toBe(true);

    const stats = await readJson(statsPath);
    expect(stats).toMatchObject({ events: 20_000, rejected: expected.length });
    expect(parseSummary(result.stderr)).toMatchObject({ events: 20_000, rejected: expected.length });
  });
});
