import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  EXIT,
  linesOf,
  parseAlerts,
  parseSummary,
  runCli,
  stderrProblems,
  useTempDir,
} from './helpers.js';

const EVENTS = 60_000;
const STREAM = ['--events', String(EVENTS), '--seed', '42', '--error-rate', '0.02'];
const JOB = ['--workers', '2', '--partitions', '16'];
const FORMATS = ['text', 'csv', 'ndjson'] as const;

const dir = useTempDir();
let csvPath: string;
let gzPath: string;
let csvBytes: Buffer;
/** `run` straight over the generator, per alert format: the reference output. */
const fromGenerator = new Map<string, Buffer>();

beforeAll(async () => {
  assertBuilt();
  csvPath = join(dir(), 'events.csv');
  gzPath = join(dir(), 'events.csv.gz');
  const generated = await runCli(['generate', ...STREAM, '--out', csvPath]);
  expect(generated.code, generated.stderr).toBe(EXIT.ok);
  csvBytes = await readFile(csvPath);
  await writeFile(gzPath, gzipSync(csvBytes));
  for (const format of FORMATS) {
    const result = await runCli(['run', ...STREAM, ...JOB, '--format', format]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    fromGenerator.set(format, result.stdout);
  }
});

describe('generate writes the stream run generates', () => {
  it('writes a CSV events file: the header, then one address,type line per event', () => {
    const lines = linesOf(csvBytes);
    expect(lines[0]).toBe('address,type');
    expect(lines).toHaveLength(EVENTS + 1);
    for (const line of lines.slice(1)) expect(line).toMatch(/^\d+\.\d+\.\d+\.\d+,[a-g]$/);
    expect(csvBytes.at(-1)).toBe(0x0a);
  });

  it('is deterministic: the same flags give the same bytes, another seed other bytes', async () => {
    const again = join(dir(), 'again.csv');
    const other = join(dir(), 'other.csv');
    expect((await runCli(['generate', ...STREAM, '--out', again, '--quiet'])).code).toBe(EXIT.ok);
    const otherFlags = ['--events', String(EVENTS), '--seed', '43', '--error-rate', '0.02'];
    expect((await runCli(['generate', ...otherFlags, '--out', other, '--quiet'])).code).toBe(EXIT.ok);
    expect((await readFile(again)).equals(csvBytes)).toBe(true);
    expect((await readFile(other)).equals(csvBytes)).toBe(false);
  });

  it('reports what it generated on stderr', async () => {
    const out = join(dir(), 'reported.csv');
    const result = await runCli(['generate', '--events', '1234', '--out', out]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toMatch(/generated 1234 events into /);
    expect(result.stdout.length).toBe(0);
  });

  it('the generator run finds alerts (so the comparisons below compare something)', () => {
    const alerts = parseAlerts(fromGenerator.get('text')!, 'text');
    expect(alerts.length).toBeGreaterThan(100);
  });
});

describe('run --input gives the same alerts as run over the generator', () => {
  it.each(FORMATS)('plain CSV file, --format %s', async (format) => {
    const result = await runCli(['run', '--input', csvPath, ...JOB, '--format', format]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(fromGenerator.get(format)!)).toBe(true);
    expect(parseSummary(result.stderr)).toMatchObject({ status: 'done', events: EVENTS, rejected: 0 });
  });

  it.each(FORMATS)('gzipped copy (.csv.gz), --format %s', async (format) => {
    const result = await runCli(['run', '--input', gzPath, ...JOB, '--format', format]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(fromGenerator.get(format)!)).toBe(true);
    expect(parseSummary(result.stderr)).toMatchObject({ events: EVENTS, rejected: 0 });
  });

  it.each(FORMATS)('stdin as `--input=-`, --format %s', async (format) => {
    const result = await runCli(['run', '--input=-', ...JOB, '--format', format], { stdin: csvBytes });
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(fromGenerator.get(format)!)).toBe(true);
    expect(parseSummary(result.stderr)).toMatchObject({ events: EVENTS, rejected: 0 });
  });

  // DESIGN.md's contract spells stdin `--input <file|->`, i.e. `--input -` as two arguments.
  it.each(FORMATS)('stdin as `--input -` (two arguments), --format %s', async (format) => {
    const result = await runCli(['run', '--input', '-', ...JOB, '--format', format], { stdin: csvBytes });
    expect(result.stderr).not.toMatch(/Unknown argument/);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(fromGenerator.get(format)!)).toBe(true);
  });

  it('writes the same bytes to --output <file> as to stdout', async () => {
    const out = join(dir(), 'alerts.txt');
    const result = await runCli(['run', '--input', csvPath, ...JOB, '--output', out]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.length).toBe(0);
    expect((await readFile(out)).equals(fromGenerator.get('text')!)).toBe(true);
  });

  it('`--output -` (two arguments) is stdout, as the contract spells it', async () => {
    const result = await runCli(['run', ...STREAM, ...JOB, '--output', '-']);
    expect(result.stderr).not.toMatch(/Unknown argument/);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(fromGenerator.get('text')!)).toBe(true);
  });

  it('`generate --out -` (two arguments) writes the events to stdout', async () => {
    const result = await runCli(['generate', ...STREAM, '--out', '-', '--quiet']);
    expect(result.stderr).not.toMatch(/Unknown argument/);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(csvBytes)).toBe(true);
  });

  it('`generate --out=-` writes the events to stdout', async () => {
    const result = await runCli(['generate', ...STREAM, '--out=-', '--quiet']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(csvBytes)).toBe(true);
  });
});

describe('machines', () => {
  const SEED_DEFINITION = {
    name: 'seed',
    initial: 'Initial',
    events: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    states: {
      Initial: { a: { to: 'W', p: 0.6 }, c: { to: 'X', p: 0.4 } },
      W: { b: 'Y' },
      X: { b: { to: 'Y', p: 0.2 }, d: { to: 'Z', p: 0.8 } },
      Y: { e: 'Z' },
      Z: { f: { to: 'Z', p: 0.3 }, g: { to: 'Terminal', p: 0.7 } },
      Terminal: {},
    },
  };
  const SEED_STATES = new Set(Object.keys(SEED_DEFINITION.states));

  it('--machine flink and seed both run; over one event stream they differ exactly by Z -> f', async () => {
    // flink is seed without Z -f-> Z. Both leave the state unchanged on Z/f, so every address
    // goes through the same states under both: flink's alerts are seed's plus the `Z -> f` ones.
    const seed = await runCli(['run', '--input', csvPath, ...JOB, '--machine', 'seed']);
    const flink = await runCli(['run', '--input', csvPath, ...JOB, '--machine', 'flink']);
    expect(seed.code, seed.stderr).toBe(EXIT.ok);
    expect(flink.code, flink.stderr).toBe(EXIT.ok);
    expect(flink.stderr).toMatch(/machine flink/);
    expect(seed.stderr).toMatch(/machine seed/);
    const seedAlerts = parseAlerts(seed.stdout, 'text');
    const flinkAlerts = parseAlerts(flink.stdout, 'text');
    for (const alert of [...seedAlerts, ...flinkAlerts]) expect(SEED_STATES.has(alert.state)).toBe(true);
    const zf = flinkAlerts.filter((a) => a.state === 'Z' && a.event === 'f');
    expect(zf.length).toBeGreaterThan(0);
    expect(seedAlerts.some((a) => a.state === 'Z' && a.event === 'f')).toBe(false);
    expect(flinkAlerts.filter((a) => !(a.state === 'Z' && a.event === 'f'))).toEqual(seedAlerts);
  });

  it('--machine flink over its own generator gives a valid run', async () => {
    const flags = ['--events', '30000', '--seed', '9', '--error-rate', '0.01', '--machine', 'flink'];
    const result = await runCli(['run', ...flags, ...JOB, '--format', 'ndjson']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const alerts = parseAlerts(result.stdout, 'ndjson');
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(SEED_STATES.has(alert.state)).toBe(true);
      expect(alert.state).not.toBe('Terminal');
    }
    expect(parseSummary(result.stderr)).toMatchObject({ events: 30_000, alerts: alerts.length });
  });

  it('a custom machine file equal to the seed preset gives the seed output', async () => {
    const path = join(dir(), 'copy-of-seed.json');
    await writeFile(path, JSON.stringify(SEED_DEFINITION, null, 2));
    const result = await runCli(['run', ...STREAM, ...JOB, '--machine', path]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.equals(fromGenerator.get('text')!)).toBe(true);
  });

  it('a custom machine with renamed states reports alerts under its own state names', async () => {
    const renamed = JSON.parse(
      JSON.stringify(SEED_DEFINITION)
        .replaceAll('"W"', '"Waiting"')
        .replaceAll('"Initial"', '"Start"')
        .replace('"name":"seed"', '"name":"renamed"'),
    );
    const path = join(dir(), 'renamed.json');
    await writeFile(path, JSON.stringify(renamed));
    const result = await runCli(['run', '--input', csvPath, ...JOB, '--machine', path]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const expected = fromGenerator
      .get('text')!
      .toString('utf8')
      .replaceAll(' : W -> ', ' : Waiting -> ')
      .replaceAll(' : Initial -> ', ' : Start -> ');
    expect(result.stdout.toString('utf8')).toBe(expected);
    expect(result.stdout.toString('utf8')).toMatch(/ : Waiting -> /);
  });

  it('an invalid machine file exits 2 with one line naming the problem path', async () => {
    const bad = JSON.parse(JSON.stringify(SEED_DEFINITION));
    bad.states.W = { b: 'Q' };
    const path = join(dir(), 'bad-target.json');
    await writeFile(path, JSON.stringify(bad));
    const result = await runCli(['run', '--events', '100', '--machine', path]);
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toContain('states.W.b: unknown target state "Q"');
    expect(result.stderr).toContain(path);
    expect(result.stdout.length).toBe(0);
  });

  it('a machine file that is not JSON, or does not exist, exits 2 with one line', async () => {
    const notJson = join(dir(), 'not-json.json');
    await writeFile(notJson, '{ "name": ');
    for (const path of [notJson, join(dir(), 'missing.json')]) {
      const result = await runCli(['run', '--events', '100', '--machine', path]);
      expect(result.code).toBe(EXIT.usage);
      expect(stderrProblems(result.stderr)).toEqual([]);
      expect(result.stderr).toContain(path);
    }
  });
});
