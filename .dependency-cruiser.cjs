// Import boundaries, checked by `pnpm lint` (depcruise packages/*/src benchmarks/src examples).
// Dependencies point one way (DESIGN.md): engine at the bottom, fsm and kafka on it, cli on all
// three; a package is reached from another only through an entry its package.json `exports` names.
const { readdirSync, readFileSync } = require('node:fs');
const { join, posix } = require('node:path');

/** Each workspace package's exported module files, as paths from the repository root. */
function publicEntries() {
  const entries = [];
  for (const name of readdirSync(join(__dirname, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(__dirname, 'packages', name, 'package.json'), 'utf8'));
    for (const target of Object.values(manifest.exports ?? {})) {
      const file = typeof target === 'string' ? target : target.import;
      if (file !== undefined) entries.push(posix.join('packages', name, file));
    }
  }
  return entries;
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A package's own directory: packages/<name>, benchmarks or examples. */
const OWNER = '^(packages/[^/]+|benchmarks|examples)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files import each other, directly or through others: move what both need to the module that owns it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-is-domain-free',
      severity: 'error',
      comment:
        'The engine depends on nothing domain-specific: fsm, kafka and cli plug into it, never the reverse.',
      from: { path: '^packages/engine/' },
      to: { path: '^packages/(fsm|kafka|cli)/' },
    },
    {
      name: 'fsm-below-kafka-and-cli',
      severity: 'error',
      comment: 'fsm is the state-machine operator; Kafka and the command line build on it.',
      from: { path: '^packages/fsm/' },
      to: { path: '^packages/(kafka|cli)/' },
    },
    {
      name: 'kafka-below-cli',
      severity: 'error',
      comment: 'The Kafka connector is a library; the command line uses it.',
      from: { path: '^packages/kafka/' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'public-entries-only',
      severity: 'error',
      comment:
        'Another package is imported through its public entry (@statecraft/<pkg>, or a sub-entry its package.json exports), not a file inside it.',
      from: { path: OWNER },
      to: {
        path: '^(packages/[^/]+|benchmarks|examples)/',
        pathNot: ['^$1/', ...publicEntries().map((entry) => `^${escapeRegExp(entry)}$`)],
      },
    },
    {
      name: 'packages-by-name',
      severity: 'error',
      comment: 'Another package is imported by its name (@statecraft/<pkg>), not by a relative path into it.',
      from: { path: OWNER },
      to: { path: '^(packages/[^/]+|benchmarks|examples)/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve: a typo, a file not exported by its package, or a package not built (pnpm build).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    exclude: { path: ['(^|/)test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
