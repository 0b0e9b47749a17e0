#!/usr/bin/env node
// Bundles the compiled CLI (packages/cli/dist, from `tsc -b`) into packages/cli/dist/bundle: the
// `statecraft` command users run. Loading some 100 small ES modules costs a short job about 50 ms
// of resolving and reading files in the main thread, and more in each worker thread
// (docs/performance.md, "Start-up"); one file per entry, with shared chunks, does not.
//
// - Statecraft's own packages are bundled; third-party packages stay external and are resolved
//   at run time from packages/cli/node_modules, so the CLI's package.json must list each of them
//   (checked below: the build fails on one it does not).
// - The modules worker threads load by URL (the engine's worker and file producers, the state
//   machine operator, the generator's chunk producer, the bench's baseline program) are entries
//   under the same names as in dist: each package finds them beside its own code
//   (`moduleBeside(import.meta.url, name)`), which in the bundle is this one folder.
// - Lazy `import()`s stay lazy: each becomes a chunk loaded when the command needs it.
// - The answers to `--help` and each command's `--help`, asked of the bundle once, are kept in
//   answers.json, which the bundle prints without loading yargs (src/answers-cache.ts).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = join(root, 'packages');
const outdir = join(packages, 'cli/dist/bundle');

const entryPoints = {
  bin: join(packages, 'cli/dist/bin.js'),
  'map-baseline': join(packages, 'cli/dist/bench/map-baseline.js'),
  worker: join(packages, 'engine/dist/runtime/worker.js'),
  'file-producer': join(packages, 'engine/dist/sources/file-producer.js'),
  'fed-file-producer': join(packages, 'engine/dist/sources/fed-file-producer.js'),
  operator: join(packages, 'fsm/dist/operator.js'),
  'generator-producer': join(packages, 'fsm/dist/generator/generator-producer.js'),
};

const externals = new Set();
const thirdPartyExternal = {
  name: 'third-party-external',
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@statecraft/') || args.path.startsWith('node:')) return undefined;
      externals.add(args.path);
      return { path: args.path, external: true };
    });
  },
};

// Chunk names carry content hashes: a new build must not leave the old ones beside it.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [thirdPartyExternal],
});

// The worker threads' CommonJS entry (engine/src/runtime/worker-entry.cts): it imports `./worker.js`,
// the bundle's worker entry, so it is copied beside it as it is.
copyFileSync(join(packages, 'engine/dist/runtime/worker-entry.cjs'), join(outdir, 'worker-entry.cjs'));

// Node's lookup for a bare specifier: node_modules/<package> in the bundle's folder or one above it.
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const resolvable = (name) => {
  for (let dir = outdir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dir === dirname(dir)) return false;
  }
};
const unresolved = [...new Set([...externals].map(packageName))].filter((name) => !resolvable(name));
if (unresolved.length > 0) {
  console.error(
    `bundle-cli: the bundle imports ${unresolved.join(', ')}, which packages/cli cannot resolve: ` +
      'add each to packages/cli/package.json dependencies',
  );
  process.exit(1);
}

// Asked with stdout a pipe (no terminal width: help is wrapped to HELP_WIDTH), without
// YARGS_DISABLE_WRAP, and before answers.json exists, so yargs answers.
const { ANSWERS_FILE, CACHED_COMMAND_LINES } = await import(join(packages, 'cli/dist/answers-cache.js'));
const { YARGS_DISABLE_WRAP: _unwrapped, ...env } = process.env;
const answers = {};
for (const argv of CACHED_COMMAND_LINES) {
  answers[argv.join(' ')] = execFileSync(process.execPath, [join(outdir, 'bin.js'), ...argv], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
writeFileSync(join(outdir, ANSWERS_FILE), `${JSON.stringify(answers, null, 2)}\n`);
