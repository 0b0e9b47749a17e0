import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  BIN,
  EXIT,
  linesOf,
  parseAlerts,
  ROOT,
  runCli,
  stderrProblems,
  useTempDir,
} from './helpers.js';

beforeAll(assertBuilt);
const dir = useTempDir();

/** Runs the command and checks the failure contract: the code, one `statecraft: ` line, no stack. */
async function expectFailure(args: string[], code: number, message?: RegExp | string) {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(code);
  expect(stderrProblems(result.stderr), result.stderr).toEqual([]);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else if (message !== undefined) expect(result.stderr).toMatch(message);
  return result;
}

describe('bad usage exits 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['negative --workers', ['run', '--workers', '-1', '--events', '10'], /--workers must be an integer/],
    [
      '--workers > --partitions',
      ['run', '--workers', '4', '--partitions', '2'],
      /--workers \(4\).*--partitions \(2\)/,
    ],
    ['--partitions 0', ['run', '--partitions', '0', '--workers', '0'], /--partitions must be an integer/],
    ['non-numeric --workers', ['run', '--workers', 'many'], /--workers must be an integer.*not a number/],
    ['non-numeric --partitions', ['run', '--partitions', 'x', '--workers', '0'], /--partitions/],
    ['non-numeric --events', ['run', '--events', 'lots', '--workers', '0'], /--events/],
    ['non-numeric --seed', ['run', '--seed', 'abc', '--events', '10', '--workers', '0'], /--seed/],
    ['fractional --workers', ['run', '--workers', '1.5', '--events', '10'], /--workers/],
    [
      'non-numeric --error-rate',
      ['run', '--error-rate', 'high', '--events', '10', '--workers', '0'],
      /--error-rate/,
    ],
    [
      '--error-rate above 1',
      ['run', '--error-rate', '1.5', '--events', '10', '--workers', '0'],
      /--error-rate/,
    ],
    ['unknown flag', ['run', '--events', '10', '--bogus-flag'], /bogus-flag/],
    [
      'unknown machine',
      ['run', '--events', '10', '--machine', 'nosuch'],
      /--machine nosuch: unknown machine/,
    ],
    ['unknown command', ['frobnicate'], /frobnicate/],
    ['no command', [], /command/],
    ['unsupported --format', ['run', '--events', '10', '--format', 'xml'], /format/],
    [
      'non-numeric generate --events',
      ['generate', '--events', 'x', '--out', 'never-written.csv'],
      /--events/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const result = await expectFailure(args, EXIT.usage, message);
    expect(result.stdout.length).toBe(0);
  });

  it('usage errors are detected before any output file is created', async () => {
    const out = join(dir(), 'should-not-exist.txt');
    await expectFailure(['run', '--workers', '-1', '--output', out], EXIT.usage);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // The one-line contract holds for yargs' own "missing required argument" message too.
  it('generate without --out', async () => {
    await expectFailure(['generate', '--events', '10'], EXIT.usage, /out/);
  });

  it('generate without --events', async () => {
    await expectFailure(['generate', '--out', join(dir(), 'x.csv')], EXIT.usage, /events/);
  });
});

describe('inputs and outputs', () => {
  it('a missing input file exits 66', async () => {
    const missing = join(dir(), 'no-such-input.csv');
    const result = await expectFailure(['run', '--input', missing, '--workers', '0'], EXIT.noInput, missing);
    expect(result.stderr).toMatch(/no such file/);
  });

  it('a directory as input exits 66', async () => {
    await expectFailure(['run', '--input', dir(), '--workers', '0'], EXIT.noInput, /directory/);
  });

  it('--output in a nonexistent directory exits 73', async () => {
    const out = join(dir(), 'no-such-dir', 'alerts.txt');
    await expectFailure(
      ['run', '--events', '1000', '--workers', '0', '--output', out],
      EXIT.cannotWrite,
      out,
    );
  });

  it('--stats in a nonexistent directory exits 73', async () => {
    const stats = join(dir(), 'no-such-dir', 'stats.json');
    const out = join(dir(), 'alerts-with-bad-stats.txt');
    await expectFailure(
      ['run', '--events', '1000', '--workers', '0', '--output', out, '--stats', stats],
      EXIT.cannotWrite,
      stats,
    );
  });

  it('--dead-letter in a nonexistent directory exits 73', async () => {
    const input = join(dir(), 'ok.csv');
    await writeFile(input, '1.2.3.4,a\n');
    const dead = join(dir(), 'no-such-dir', 'dead.ndjson');
    await expectFailure(
      ['run', '--input', input, '--workers', '0', '--dead-letter', dead],
      EXIT.cannotWrite,
      dead,
    );
  });

  it('generate --out in a nonexistent directory exits 73', async () => {
    const out = join(dir(), 'no-such-dir', 'events.csv');
    await expectFailure(['generate', '--events', '10', '--out', out], EXIT.cannotWrite, out);
  });

  it('--strict with a bad record exits 65 with file:line: reason', async () => {
    const input = join(dir(), 'strict.csv');
    await writeFile(input, 'address,type\n1.2.3.4,a\n10.0.0.1,b\n300.1.1.1,a\n5,c\n');
    const result = await expectFailure(
      ['run', '--input', input, '--workers', '0', '--strict'],
      EXIT.badRecord,
    );
    expect(linesOf(result.stderr)[0]).toBe(
      `statecraft: ${input}:4: address out of range (IPv4 octets are 0..255, integers 0..4294967295)`,
    );
  });

  it('--strict with worker threads reports the first bad record the same way', async () => {
    const input = join(dir(), 'strict-workers.csv');
    await writeFile(input, '1.2.3.4,a\n1.2.3.4,b\n\n1.2.3.4,zz\n');
    const result = await expectFailure(
      ['run', '--input', input, '--workers', '2', '--partitions', '8', '--strict'],
      EXIT.badRecord,
    );
    expect(linesOf(result.stderr)[0]).toBe(`statecraft: ${input}:3: empty line`);
  });

  it('--strict on a clean file is a successful run', async () => {
    const input = join(dir(), 'clean.csv');
    await writeFile(input, 'address,type\n1.2.3.4,a\n1.2.3.4,c\n');
    const result = await runCli(['run', '--input', input, '--workers', '0', '--strict']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.toString()).toBe('ALERT 1.2.3.4 : W -> c\n');
  });

  it('a successful run exits 0', async () => {
    const result = await runCli(['run', '--events', '5000', '--error-rate', '0.05', '--workers', '1']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(parseAlerts(result.stdout, 'text').length).toBeGreaterThan(0);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('help and the root script', () => {
  it('root package.json: `pnpm statecraft` runs the built bin, which the cli package declares', async () => {
    const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const cli = JSON.parse(await readFile(join(ROOT, 'packages/cli/package.json'), 'utf8'));
    expect(root.scripts.statecraft).toBe('node packages/cli/dist/bundle/bin.js');
    expect(join(ROOT, 'packages/cli', cli.bin.statecraft)).toBe(BIN);
  });

  it('--help exits 0 and lists run and generate', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(EXIT.ok);
    const help = result.stdout.toString('utf8');
    expect(help).toMatch(/^\s*statecraft run\b/m);
    expect(help).toMatch(/^\s*statecraft generate\b/m);
  });

  it('run --help exits 0 and lists the contract flags', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(EXIT.ok);
    const help = result.stdout.toString('utf8');
    for (const flag of [
      '--input',
      '--events',
      '--error-rate',
      '--seed',
      '--machine',
      '--workers',
      '--partitions',
      '--output',
      '--format',
      '--stats',
      '--dead-letter',
      '--strict',
      '--quiet',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
