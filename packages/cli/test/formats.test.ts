import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, linesOf, parseAlerts, runCli, stderrProblems, useTempDir } from './helpers.js';

const EVENTS = 20_000;
const STREAM = ['--events', String(EVENTS), '--seed', '7', '--error-rate', '0.02'];
const FILES = { csv: 'events.csv', ndjson: 'events.ndjson', 'flink-binary': 'events.bin' } as const;
type Format = keyof typeof FILES;
const FORMATS = Object.keys(FILES) as Format[];

const dir = useTempDir();
/** Alerts of `run` straight over the generator: what every input must reproduce. */
let reference: Buffer;
const generated = new Map<Format, Buffer>();

beforeAll(async () => {
  assertBuilt();
  for (const format of FORMATS) {
    const path = join(dir(), FILES[format]);
    const result = await runCli(['generate', ...STREAM, '--format', format, '--out', path, '--quiet']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const bytes = await readFile(path);
    generated.set(format, bytes);
    await writeFile(`${path}.gz`, gzipSync(bytes));
  }
  const result = await runCli(['run', ...STREAM, '--workers', '0', '--format', 'csv', '--quiet']);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  reference = result.stdout;
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

async function alertsOf(args: string[], stdin?: Buffer) {
  const result = await runCli(
    ['run', ...args, '--format', 'csv', '--quiet'],
    stdin === undefined ? {} : { stdin },
  );
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return result.stdout;
}

describe('generate --format', () => {
  it('the reference run finds alerts, so the comparisons below compare something', () => {
    expect(parseAlerts(reference, 'csv').length).toBeGreaterThan(20);
  });

  it('writes NDJSON: one {"address","type"} object per event', () => {
    const lines = linesOf(generated.get('ndjson')!);
    expect(lines).toHaveLength(EVENTS);
    for (const line of lines) expect(line).toMatch(/^\{"address":"\d+\.\d+\.\d+\.\d+","type":"[a-g]"\}$/);
  });

  it('writes flink-binary: 8 bytes per event, the same events as the CSV file', () => {
    const binary = generated.get('flink-binary')!;
    expect(binary.length).toBe(EVENTS * 8);
    const csv = linesOf(generated.get('csv')!).slice(1);
    const dotted = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    for (let i = 0; i < EVENTS; i += 997) {
      const type = 'abcdefg'[binary.readInt32LE(i * 8 + 4)];
      expect(`${dotted(binary.readInt32LE(i * 8) >>> 0)},${type}`).toBe(csv[i]);
    }
  });

  it('rejects an unknown format as bad usage', async () => {
    const result = await runCli(['generate', '--events', '10', '--format', 'xml', '--out', join(dir(), 'x')]);
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
  });
});

describe.each(FORMATS)('run --input in %s', (format) => {
  const path = () => join(dir(), FILES[format]);

  it.each([0, 2])('as a parallel file source, --workers %i: the generator run’s alerts', async (workers) => {
    expect((await alertsOf(['--input', path(), '--workers', String(workers)])).equals(reference)).toBe(true);
  });

  it('sequentially (--dead-letter), and from .gz: the same alerts, nothing rejected', async () => {
    const deadLetter = join(dir(), `dl-${format}.ndjson`);
    const stats = join(dir(), `stats-${format}.json`);
    const sequential = await alertsOf([
      ...['--input', path(), '--workers', '2', '--dead-letter', deadLetter, '--stats', stats],
    ]);
    expect(sequential.equals(reference)).toBe(true);
    expect(await readFile(deadLetter, 'utf8')).toBe('');
    expect(await readJson(stats)).toMatchObject({ events: EVENTS, rejected: 0 });
    expect((await alertsOf(['--input', `${path()}.gz`, '--workers', '0'])).equals(reference)).toBe(true);
  });

  it('from stdin with --input-format', async () => {
    const out = await alertsOf(
      ['--input', '-', '--input-format', format, '--workers', '2'],
      generated.get(format),
    );
    expect(out.equals(reference)).toBe(true);
  });
});

describe('the format is inferred from the extension', () => {
  it('.jsonl is NDJSON; --input-format overrides an unknown extension', async () => {
    const jsonl = join(dir(), 'events.jsonl');
    const dat = join(dir(), 'events.dat');
    await writeFile(jsonl, generated.get('ndjson')!);
    await writeFile(dat, generated.get('flink-binary')!);
    expect((await alertsOf(['--input', jsonl, '--workers', '0'])).equals(reference)).toBe(true);
    expect((await alertsOf(['--input', dat, '--input-format', 'flink-binary'])).equals(reference)).toBe(true);
  });
});

const NDJSON_BAD = [
  '{"address":"10.0.0.1","type":"a"}',
  '',
  'oops',
  '[1]',
  '{"type":"a"}',
  '{"address":"1.2.3","type":"a"}',
  '{"address":4294967296,"type":"a"}',
  '{"address":"10.0.0.1","type":"z"}',
  '{"address":"10.0.0.1","type":"b"}',
];
const NDJSON_REASONS = {
  'empty-line': 1,
  'not-json': 1,
  'not-an-object': 1,
  'missing-field': 1,
  'bad-address': 1,
  'address-out-of-range': 1,
  'unknown-event': 1,
};

function binaryRecord(address: number, type: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(address, 0);
  b.writeInt32LE(type, 4);
  return b;
}
const BINARY_BAD = Buffer.concat([
  binaryRecord(0x0a000001, 0),
  binaryRecord(0x0a000001, 9),
  binaryRecord(0x0a000001, -2),
  binaryRecord(0x0a000001, 1),
  Buffer.from([0xaa, 0xbb, 0xcc]),
]);

describe('bad records', () => {
  it('NDJSON: counted by reason on both paths; dead letters keep line, offset, reason and record', async () => {
    const input = join(dir(), 'bad.ndjson');
    const text = `${NDJSON_BAD.join('\n')}\n`;
    await writeFile(input, text);
    const deadLetter = join(dir(), 'bad-ndjson.dl');
    const stats = join(dir(), 'bad-ndjson-seq.json');
    await alertsOf(['--input', input, '--dead-letter', deadLetter, '--stats', stats]);
    expect(await readJson(stats)).toMatchObject({ events: 2, rejected: 7, rejectedByReason: NDJSON_REASONS });
    const letters = linesOf(await readFile(deadLetter)).map((l) => JSON.parse(l));
    expect(letters.map((l) => l.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    letters.forEach((l, i) => {
      expect(l.record).toBe(NDJSON_BAD[i + 1]);
      expect(l.offset).toBe(NDJSON_BAD.slice(0, i + 1).join('\n').length + 1);
      expect(l.input).toBe(input);
    });
    expect(letters.map((l) => l.reason)).toEqual(Object.keys(NDJSON_REASONS));
    const parallelStats = join(dir(), 'bad-ndjson-par.json');
    await alertsOf(['--input', input, '--workers', '2', '--stats', parallelStats]);
    expect(await readJson(parallelStats)).toMatchObject({
      events: 2,
      rejected: 7,
      rejectedByReason: NDJSON_REASONS,
    });
  });

  it('flink-binary: bad ordinals and the truncated tail, by offset, records in hex', async () => {
    const input = join(dir(), 'bad.bin');
    await writeFile(input, BINARY_BAD);
    const reasons = { 'unknown-event': 2, 'truncated-record': 1 };
    const deadLetter = join(dir(), 'bad-bin.dl');
    const stats = join(dir(), 'bad-bin-seq.json');
    await alertsOf(['--input', input, '--dead-letter', deadLetter, '--stats', stats]);
    expect(await readJson(stats)).toMatchObject({ events: 2, rejected: 3, rejectedByReason: reasons });
    const letters = linesOf(await readFile(deadLetter)).map((l) => JSON.parse(l));
    expect(letters.map(({ line, offset, reason, record }) => ({ line, offset, reason, record }))).toEqual([
      { line: 0, offset: 8, reason: 'unknown-event', record: binaryRecord(0x0a000001, 9).toString('hex') },
      { line: 0, offset: 16, reason: 'unknown-event', record: binaryRecord(0x0a000001, -2).toString('hex') },
      { line: 0, offset: 32, reason: 'truncated-record', record: 'aabbcc' },
    ]);
    const parallelStats = join(dir(), 'bad-bin-par.json');
    await alertsOf(['--input', input, '--workers', '2', '--stats', parallelStats]);
    expect(await readJson(parallelStats)).toMatchObject({
      events: 2,
      rejected: 3,
      rejectedByReason: reasons,
    });
  });

  it('--strict stops at the first bad record with exit 65', async () => {
    const input = join(dir(), 'strict.ndjson');
    await writeFile(input, `${NDJSON_BAD.join('\n')}\n`);
    const result = await runCli(['run', '--input', input, '--strict']);
    expect(result.code).toBe(EXIT.badRecord);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toContain(`${input}:2: empty line`);
  });
});
