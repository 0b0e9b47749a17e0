import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, realpath, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT, useTempDir } from './helpers.js';

const run = promisify(execFile);
const PACKAGES = ['engine', 'fsm', 'kafka', 'cli'] as const;
type PackageName = (typeof PACKAGES)[number];

interface Manifest {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  files: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const dir = useTempDir();
/** Where each tarball was unpacked: node_modules/@statecraft/<name>, as an install would put it. */
const unpacked = new Map<PackageName, string>();
const manifests = new Map<PackageName, Manifest>();
const contents = new Map<PackageName, string[]>();

/** Every file under `root`, relative to it, with / separators. */
function listFiles(root: string, under = ''): string[] {
  return readdirSync(join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const path = under === '' ? entry.name : `${under}/${entry.name}`;
    return entry.isDirectory() ? listFiles(root, path) : [path];
  });
}

beforeAll(async () => {
  assertBuilt();
  const env = { ...process.env, COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };
  for (const name of PACKAGES) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', dir()], {
      cwd: join(ROOT, 'packages', name),
      env,
    });
    const tarball = stdout.trim().split('\n').at(-1)!;
    expect(tarball.endsWith('.tgz'), stdout).toBe(true);
    const target = join(dir(), 'node_modules/@statecraft', name);
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    unpacked.set(name, target);
    manifests.set(name, JSON.parse(await readFile(join(target, 'package.json'), 'utf8')));
    contents.set(name, listFiles(target));
  }
  // Third-party dependencies come from the workspace, as a registry install would provide them.
  for (const name of PACKAGES) {
    for (const dependency of Object.keys(manifests.get(name)!.dependencies ?? {})) {
      if (dependency.startsWith('@statecraft/')) continue;
      const link = join(dir(), 'node_modules', dependency);
      if (existsSync(link)) continue;
      await mkdir(dirname(link), { recursive: true });
      // pnpm links each package's dependencies into its own node_modules.
      await symlink(await realpath(join(ROOT, 'packages', name, 'node_modules', dependency)), link);
    }
  }
}, 120_000);

describe.each(PACKAGES)('pnpm pack of @statecraft/%s', (name) => {
  it('leaves no workspace: protocol in the manifest; internal dependencies name the released version', async () => {
    const manifest = manifests.get(name)!;
    const text = await readFile(join(unpacked.get(name)!, 'package.json'), 'utf8');
    expect(text).not.toContain('workspace:');
    for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
      if (!dependency.startsWith('@statecraft/')) continue;
      const sibling = dependency.slice('@statecraft/'.length) as PackageName;
      expect(range).toBe(manifests.get(sibling)!.version);
    }
  });

  it('exports built files, types first, each present in the tarball', () => {
    const manifest = manifests.get(name)!;
    const files = new Set(contents.get(name));
    expect(Object.keys(manifest.exports)).toContain('.');
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') {
        expect(files.has(target.replace(/^\.\//, '')), `${subpath} → ${target}`).toBe(true);
        continue;
      }
      expect(Object.keys(target)[0], subpath).toBe('types');
      expect(target.types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(target.import).toMatch(/^\.\/dist\/.*\.js$/);
      for (const file of [target.types!, target.import!]) {
        expect(files.has(file.replace(/^\.\//, '')), `${subpath} → ${file}`).toBe(true);
      }
    }
  });

  it('holds the built code with declarations, its sources and README, and nothing else', () => {
    const files = contents.get(name)!;
    const allowed =
      /^(dist\/.+\.(c?js|d\.c?ts|c?js\.map|d\.c?ts\.map)|dist\/bundle\/answers\.json|src\/.+\.c?ts|README\.md|package\.json|machine\.schema\.json)$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    expect(files).toContain('README.md');
    // Every module is built from a source file that still exists, and has its declarations; the
    // CLI's dist/bundle is the command bundled from those modules (scripts/bundle-cli.mjs).
    const sources = new Set(listFiles(join(ROOT, 'packages', name, 'src')));
    const bundled = files.filter((f) => f.startsWith('dist/bundle/'));
    expect(bundled.length > 0).toBe(name === 'cli');
    if (name === 'cli')
      expect(bundled).toEqual(
        expect.arrayContaining([
          'dist/bundle/bin.js',
          'dist/bundle/worker.js',
          'dist/bundle/worker-entry.cjs',
          'dist/bundle/answers.json',
        ]),
      );
    for (const file of files.filter(
      (f) => f.startsWith('dist/') && /\.c?js$/.test(f) && !bundled.includes(f),
    )) {
      const source = relative('dist', file).replace(/\.(c?)js$/, '.$1ts');
      expect(sources.has(source), `${file} is stale (no src/${source}): delete dist and build`).toBe(true);
      expect(files).toContain(file.replace(/\.(c?)js$/, '.d.$1ts'));
    }
  });
});

describe('the unpacked packages', () => {
  it('load through their exports and run a job on worker threads', async () => {
    const script = `
      import { fromEvents } from '@statecraft/engine';
      import { compileMachine, createMachineJob, SEED_MACHINE } from '@statecraft/fsm';
      const alerts = [];
      const summary = await createMachineJob({
        machine: compileMachine(SEED_MACHINE),
        source: fromEvents([{ address: '10.0.0.1', type: 'a' }, { address: '10.0.0.1', type: 'c' }]),
        onAlerts: (batch) => alerts.push(...batch),
        workers: 1,
      }).run();
      console.log(JSON.stringify({ alerts, events: summary.events }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir() });
    expect(JSON.parse(stdout)).toEqual({
      alerts: [{ address: '10.0.0.1', state: 'W', event: 'c' }],
      events: 2,
    });
    // The engine and fsm the job used are the unpacked ones, not the workspace's.
    const resolved = await run(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('@statecraft/fsm'))"],
      { cwd: dir() },
    );
    expect(resolved.stdout.trim()).toBe(`file://${unpacked.get('fsm')}/dist/index.js`);
  });

  it('ship the schema at @statecraft/fsm/machine.schema.json', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "console.log(import.meta.resolve('@statecraft/fsm/machine.schema.json'))",
      ],
      { cwd: dir() },
    );
    const schema = JSON.parse(await readFile(new URL(stdout.trim()), 'utf8'));
    expect(schema.title).toBe('Statecraft state machine');
  });

  it('install a working statecraft command', async () => {
    const manifest = manifests.get('cli')!;
    const bin = join(unpacked.get('cli')!, manifest.bin!.statecraft!);
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    const { stdout } = await run(process.execPath, [bin, 'machine', 'show', 'flink'], { cwd: dir() });
    expect(stdout).toContain('  Z --> Terminal: g (1.0)\n');
    // Its version is the package's, found from the installed bin (kept by the build, and asked).
    for (const args of [['--version'], ['--version', '--log-format', 'text']]) {
      const version = await run(process.execPath, [bin, ...args], { cwd: dir() });
      expect(version.stdout).toBe(`${manifest.version}\n`);
    }
    // A checkpointing run: the engine requires msgpack at its first checkpoint, not at start-up.
    const checkpoints = join(dir(), 'checkpoints');
    await run(
      process.execPath,
      [
        ...[bin, 'run', '--events', '200000', '--workers', '0', '--output', join(dir(), 'alerts.txt')],
        ...['--checkpoint-dir', checkpoints, '--checkpoint-interval', '100000', '--quiet'],
      ],
      { cwd: dir() },
    );
    expect(readdirSync(checkpoints).filter((name) => name.endsWith('.ckpt')).length).toBeGreaterThan(0);
  });
});
