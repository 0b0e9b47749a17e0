import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANSWERS_FILE, CACHED_COMMAND_LINES } from '../src/answers-cache.js';
import { assertBuilt, BIN, type CliResult, collect, ROOT, UNBUNDLED_BIN, useTempDir } from './helpers.js';

// The `statecraft` users run is the bundle (scripts/bundle-cli.mjs), made from the compiled
// packages; every other CLI test runs it too. Here: it is not older than what it was made from,
// and it answers byte for byte as the unbundled command does, on each path that loads a module by
// URL in a worker thread (the worker, the operator, the generator's and the files' producers).

const BUNDLE = join(ROOT, 'packages/cli/dist/bundle');
const dir = useTempDir();

function run(bin: string, args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir(), stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, { timeoutMs: 120_000 });
}

/** Runs both builds with the same arguments; `out` names a file each writes (its name given a prefix). */
async function both(args: readonly string[], out?: string) {
  const results = [];
  for (const [name, bin] of [
    ['bundle', BIN],
    ['dist', UNBUNDLED_BIN],
  ] as const) {
    const file = out === undefined ? undefined : join(dir(), `${name}-${out}`);
    const result = await run(bin, file === undefined ? args : [...args, '--output', file]);
    results.push({ ...result, file: file === undefined ? undefined : await readFile(file) });
  }
  return { bundle: results[0]!, dist: results[1]! };
}

function jsFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(assertBuilt);

describe('the bundled command', () => {
  it('is at least as new as every compiled file it is made from (else: pnpm build)', () => {
    const bundled = statSync(join(BUNDLE, 'bin.js')).mtimeMs;
    const newer = ['cli', 'engine', 'fsm', 'kafka']
      .flatMap((name) => jsFiles(join(ROOT, 'packages', name, 'dist')))
      .filter((file) => !file.startsWith(BUNDLE) && statSync(file).mtimeMs > bundled)
      .map((file) => relative(ROOT, file));
    expect(newer).toEqual([]);
  });

  it('holds the modules worker threads load by URL, under their dist names', () => {
    const names = readdirSync(BUNDLE);
    for (const entry of ['worker', 'operator', 'generator-producer', 'file-producer', 'fed-file-producer']) {
      expect(names).toContain(`${entry}.js`);
    }
  });

  it.each([
    ['--help', ['--help']],
    ['run --help', ['run', '--help']],
    ['an unknown flag', ['run', '--bogus-flag']],
    ['a bad machine', ['machine', 'check', 'no-such-machine']],
  ])('answers %s as the unbundled command does', async (_name, args) => {
    const { bundle, dist } = await both(args);
    expect(bundle.code).toBe(dist.code);
    expect(bundle.stdout.toString()).toBe(dist.stdout.toString());
    expect(bundle.stderr).toBe(dist.stderr);
  });

  it('keeps the answer to every help command line, as the command gives it', async () => {
    const kept = JSON.parse(await readFile(join(BUNDLE, ANSWERS_FILE), 'utf8')) as Record<string, string>;
    expect(Object.keys(kept).sort()).toEqual(CACHED_COMMAND_LINES.map((argv) => argv.join(' ')).sort());
    for (const argv of CACHED_COMMAND_LINES) {
      const { bundle, dist } = await both(argv);
      expect([bundle.code, dist.code, bundle.stderr, dist.stderr]).toEqual([0, 0, '', '']);
      expect(bundle.stdout.toString()).toBe(kept[argv.join(' ')]);
      expect(bundle.stdout.toString()).toBe(dist.stdout.toString());
    }
  });

  it("prints the package's version, and takes no command line for a kept one that is not word for word", async () => {
    const version = JSON.parse(await readFile(join(ROOT, 'packages/cli/package.json'), 'utf8')).version;
    const answers = await both(['--version']);
    expect([answers.bundle.stdout.toString(), answers.dist.stdout.toString()]).toEqual([
      `${version}\n`,
      `${version}\n`,
    ]);
    // One word holding a kept line's words is yargs' to answer, whatever it makes of it.
    for (const argv of [['run --help'], ['machine show', '--help'], ['--help', '--help']]) {
      const { bundle, dist } = await both(argv);
      expect([bundle.code, bundle.stdout.toString(), bundle.stderr]).toEqual([
        dist.code,
        dist.stdout.toString(),
        dist.stderr,
      ]);
    }
  });

  it('leaves help to yargs under YARGS_DISABLE_WRAP (no wrapping at all)', async () => {
    const outputs = [];
    for (const bin of [BIN, UNBUNDLED_BIN]) {
      const child = spawn(process.execPath, [bin, 'run', '--help'], {
        cwd: dir(),
        env: { ...process.env, YARGS_DISABLE_WRAP: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      outputs.push((await collect(child)).stdout.toString());
    }
    expect(outputs[0]).toBe(outputs[1]);
    expect(Math.max(...outputs[0]!.split('\n').map((line) => line.length))).toBeGreaterThan(110);
  });

  it('wraps help to a narrower terminal itself, not with the kept answer', async () => {
    // A real terminal (script(1) gives the command a pty) 80 columns wide.
    const child = spawn(
      'script',
      ['-qec', `stty cols 80; "${process.execPath}" "${BIN}" run --help`, '/dev/null'],
      {
        cwd: dir(),
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const { code, stdout } = await collect(child, { timeoutMs: 60_000 });
    expect(code).toBe(0);
    const lines = stdout.toString().replace(/\r/g, '').split('\n');
    expect(lines.some((line) => line.includes('--checkpoint-interval'))).toBe(true);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it('answers help to a reader that went away quietly, as yargs did (exit 0, no stack trace)', async () => {
    for (const bin of [BIN, UNBUNDLED_BIN]) {
      const child = spawn(process.execPath, [bin, 'run', '--help'], {
        cwd: dir(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect([bin, code, stderr]).toEqual([bin, 0, '']);
    }
  });

  it('answers in English whatever the locale', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--bogus'], {
      cwd: dir(),
      env: { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'fr_FR.UTF-8' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const { code, stderr } = await collect(child);
    expect([code, stderr]).toEqual([2, 'statecraft: Unknown argument: bogus (see --help)\n']);
  });

  it.each([0, 2])('finds the same alerts with --workers %i', async (workers) => {
    const args = [
      'run',
      '--events',
      '300000',
      '--error-rate',
      '0.01',
      '--workers',
      String(workers),
      '--quiet',
    ];
    const { bundle, dist } = await both(args, `alerts-${workers}.txt`);
    expect([bundle.code, dist.code, bundle.stderr]).toEqual([0, 0, '']);
    expect(bundle.file!.length).toBeGreaterThan(1000);
    expect(bundle.file!.equals(dist.file!)).toBe(true);
  });

  it('generates the same file, and reads it and its gzip on worker threads to the same alerts', async () => {
    const events = ['--events', '200000', '--seed', '9', '--error-rate', '0.02'];
    const csv = join(dir(), 'events.csv');
    const csvDist = join(dir(), 'events-dist.csv');
    const made = [
      await run(BIN, ['generate', ...events, '--out', csv, '--quiet']),
      await run(UNBUNDLED_BIN, ['generate', ...events, '--out', csvDist, '--quiet']),
    ];
    expect(made.map((result) => result.code)).toEqual([0, 0]);
    expect((await readFile(csv)).equals(await readFile(csvDist))).toBe(true);
    await writeFile(`${csv}.gz`, gzipSync(await readFile(csv)));
    for (const input of [csv, `${csv}.gz`]) {
      const { bundle, dist } = await both(['run', '--input', input, '--workers', '2', '--quiet'], 'file.txt');
      expect([bundle.code, dist.code, bundle.stderr]).toEqual([0, 0, '']);
      expect(bundle.file!.length).toBeGreaterThan(100);
      expect(bundle.file!.equals(dist.file!)).toBe(true);
    }
  });
});
