import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, ROOT, useTempDir } from './helpers.js';

// The import rules of `pnpm lint` (.dependency-cruiser.cjs), run as lint runs them: on the real
// tree, which must be clean, and on a small workspace of the same packages (their real
// package.json exports) holding one file that breaks each rule, which must be reported.

const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const PACKAGES = ['engine', 'fsm', 'kafka', 'cli'];

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** depcruise's findings over `paths`, run in `cwd` with the repository's configuration. */
async function cruise(cwd: string, paths: string[]): Promise<{ modules: number; violations: Violation[] }> {
  const child = spawn(DEPCRUISE, [...paths, '--config', CONFIG, '--output-type', 'json'], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = await collect(child);
  const report = JSON.parse(result.stdout.toString('utf8')) as {
    summary: { totalCruised: number; violations: { rule: { name: string }; from: string; to: string }[] };
  };
  return {
    modules: report.summary.totalCruised,
    violations: report.summary.violations.map(({ rule, from, to }) => ({ rule: rule.name, from, to })),
  };
}

describe('the repository', () => {
  it('keeps every import rule', async () => {
    const { modules, violations } = await cruise(ROOT, [
      ...PACKAGES.map((name) => `packages/${name}/src`),
      'benchmarks/src',
      'examples',
    ]);
    expect(violations).toEqual([]);
    expect(modules).toBeGreaterThan(200);
  });
});

describe('each rule, on a workspace that breaks it', () => {
  const dir = useTempDir();
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir(), path)), { recursive: true });
    writeFileSync(join(dir(), path), text);
  };

  beforeAll(() => {
    write('tsconfig.test.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', strict: true } }));
    for (const name of PACKAGES) {
      mkdirSync(join(dir(), 'packages', name, 'dist'), { recursive: true });
      copyFileSync(
        join(ROOT, 'packages', name, 'package.json'),
        join(dir(), 'packages', name, 'package.json'),
      );
      write(`packages/${name}/dist/index.js`, 'export {};\n');
      write(`packages/${name}/src/index.ts`, 'export const entry = 1;\n');
      mkdirSync(join(dir(), 'node_modules/@statecraft'), { recursive: true });
      symlinkSync(join('..', '..', 'packages', name), join(dir(), 'node_modules/@statecraft', name));
    }
    write('packages/fsm/dist/operator.js', 'export {};\n');
    // Allowed: other packages through their entries (the fsm's documented ./operator sub-entry too).
    write(
      'packages/cli/src/allowed.ts',
      "import '@statecraft/engine';\nimport '@statecraft/fsm';\nimport '@statecraft/fsm/operator';\nimport '@statecraft/kafka';\n",
    );
    write('packages/kafka/src/allowed.ts', "import '@statecraft/engine';\nimport '@statecraft/fsm';\n");
    // Broken: a cycle, imports the wrong way, and imports past a package's entry.
    write('packages/engine/src/ring-a.ts', "import { b } from './ring-b.js';\nexport const a = () => b;\n");
    write('packages/engine/src/ring-b.ts', "import { a } from './ring-a.js';\nexport const b = () => a;\n");
    write('packages/engine/src/uses-fsm.ts', "import '@statecraft/fsm';\n");
    write('packages/fsm/src/uses-kafka.ts', "import '@statecraft/kafka';\n");
    write('packages/kafka/src/uses-cli.ts', "import '@statecraft/cli';\n");
    write('packages/cli/src/relative-deep.ts', "import '../../engine/src/index.js';\n");
    write('packages/cli/src/relative-entry.ts', "import '../../engine/dist/index.js';\n");
    write('packages/cli/src/dist-deep.ts', "import '@statecraft/engine/dist/index.js';\n");
  });

  it('reports each broken file, and nothing else', async () => {
    const { violations } = await cruise(dir(), ['packages']);
    const found = violations.map(({ rule, from, to }) => `${rule}: ${from} -> ${to}`).sort();
    expect(found).toEqual(
      [
        // A cycle is reported once, at the first file of the ring.
        'no-circular: packages/engine/src/ring-a.ts -> packages/engine/src/ring-b.ts',
        'engine-is-domain-free: packages/engine/src/uses-fsm.ts -> packages/fsm/dist/index.js',
        'fsm-below-kafka-and-cli: packages/fsm/src/uses-kafka.ts -> packages/kafka/dist/index.js',
        'kafka-below-cli: packages/kafka/src/uses-cli.ts -> packages/cli/dist/index.js',
        'public-entries-only: packages/cli/src/relative-deep.ts -> packages/engine/src/index.ts',
        'packages-by-name: packages/cli/src/relative-deep.ts -> packages/engine/src/index.ts',
        'packages-by-name: packages/cli/src/relative-entry.ts -> packages/engine/dist/index.js',
        'no-unresolvable: packages/cli/src/dist-deep.ts -> @statecraft/engine/dist/index.js',
      ].sort(),
    );
  });
});
