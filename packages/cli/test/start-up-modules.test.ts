import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, collect, EXIT, ROOT, UNBUNDLED_BIN, useTempDir } from './helpers.js';

// Which modules a command loads, not how long it takes (that is `pnpm bench:start-up`): `--help`
// and argument errors must not load the engine, Kafka, metrics, diagram or bench code, and a
// command loads only what it uses. The child runs with a module resolve hook (node:module
// register) that appends every URL it resolves to a file; ES modules and their imports all pass
// through it, CommonJS require() inside a package does not (its entry, imported, does): those
// are read from require's cache when the child exits.
// It runs the unbundled command: the bundle keeps each of these lazy imports as a chunk of its own,
// loaded by the same import() (test/bundle.test.ts checks the bundle does what this build does).

beforeAll(assertBuilt);
const dir = useTempDir();

const HOOKS = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, resolved.url + '\\n');
  return resolved;
}`;

const dataUrl = (source: string) => `data:text/javascript,${encodeURIComponent(source)}`;

let runs = 0;
/** Runs the command with the hook; returns its exit code and the URLs it resolved. */
async function loadedBy(args: string[]): Promise<{ code: number | null; stderr: string; urls: string[] }> {
  const file = join(dir(), `loaded-${runs++}.txt`);
  const register = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
register(${JSON.stringify(dataUrl(HOOKS))}, { data: { file: ${JSON.stringify(file)} } });
const required = createRequire(pathToFileURL(process.cwd() + '/').href).cache;
process.on('exit', () => appendFileSync(${JSON.stringify(file)}, Object.keys(required).map((path) => pathToFileURL(path).href + '\\n').join('')));`;
  const child = spawn(process.execPath, ['--import', dataUrl(register), UNBUNDLED_BIN, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = await collect(child);
  const urls = (await readFile(file, 'utf8')).split('\n').filter((url) => url !== '');
  return { code: result.code, stderr: result.stderr, urls };
}

const PACKAGES = /\/packages\/(engine|fsm|kafka)\/dist\//;
const CLI_IMPLEMENTATIONS = /\/packages\/cli\/dist\/(commands|metrics|diagram|bench|io|status\/run-monitor)/;
const LIBRARIES =
  /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(kafkajs|prom-client|@dagrejs|vega|vega-lite|piscina|puppeteer-core)\//;
const KAFKA = /\/packages\/kafka\/dist\//;
const METRICS = /\/prom-client\/|\/packages\/cli\/dist\/metrics\//;
const DIAGRAM = /\/@dagrejs\/|\/packages\/cli\/dist\/diagram\//;
const WORKER_POOL =
  /\/piscina\/|\/packages\/engine\/dist\/runtime\/(thread-executor|parallel\/exchange-job)\.js$/;
const CHECKPOINTS = /\/@msgpack\/msgpack\/|\/packages\/cli\/dist\/checkpointing\.js$/;

const matching = (urls: string[], pattern: RegExp) => urls.filter((url) => pattern.test(url));

describe('--help and argument errors load only the command line', () => {
  const cases: [string, string[], number][] = [
    ['--help', ['--help'], EXIT.ok],
    ['run --help', ['run', '--help'], EXIT.ok],
    ['machine show --help', ['machine', 'show', '--help'], EXIT.ok],
    ['an unknown flag', ['run', '--bogus-flag'], EXIT.usage],
    ['a value outside the choices', ['run', '--format', 'xml'], EXIT.usage],
    ['a missing required flag', ['generate', '--events', '10'], EXIT.usage],
    ['no command', [], EXIT.usage],
  ];

  it.each(cases)('%s', async (_name, args, code) => {
    const { code: exitCode, stderr, urls } = await loadedBy(args);
    expect(exitCode, stderr).toBe(code);
    // The hook saw the command start (so an empty list below means something).
    expect(urls.some((url) => url.endsWith('/packages/cli/dist/main.js'))).toBe(true);
    expect(matching(urls, PACKAGES)).toEqual([]);
    expect(matching(urls, CLI_IMPLEMENTATIONS)).toEqual([]);
    expect(matching(urls, LIBRARIES)).toEqual([]);
  });
});

describe('a command loads what it uses', () => {
  it('machine check loads the machine model, not the diagram layout', async () => {
    const { code, stderr, urls } = await loadedBy(['machine', 'check', 'seed']);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, /\/packages\/fsm\/dist\//)).not.toEqual([]);
    expect(matching(urls, DIAGRAM)).toEqual([]);
  });

  it('machine show --format svg loads the diagram layout', async () => {
    const { code, stderr, urls } = await loadedBy(['machine', 'show', 'seed', '--format', 'svg']);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, DIAGRAM)).not.toEqual([]);
  });

  it('run over the generator loads neither Kafka nor metrics', async () => {
    const out = join(dir(), 'alerts.txt');
    const { code, stderr, urls } = await loadedBy([
      'run',
      '--events',
      '1000',
      '--workers',
      '0',
      '--output',
      out,
    ]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, /\/packages\/engine\/dist\//)).not.toEqual([]);
    expect(matching(urls, KAFKA)).toEqual([]);
    expect(matching(urls, METRICS)).toEqual([]);
  });

  it('an inline run loads neither the worker pool nor the checkpoint code', async () => {
    const out = join(dir(), 'alerts-inline.txt');
    const { code, stderr, urls } = await loadedBy([
      ...['run', '--events', '1000', '--workers', '0', '--output', out],
    ]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, /\/packages\/engine\/dist\/runtime\/inline-job\.js$/)).not.toEqual([]);
    expect(matching(urls, WORKER_POOL)).toEqual([]);
    expect(matching(urls, CHECKPOINTS)).toEqual([]);
  });

  it('a head-started job too short for threads does not load the worker pool', async () => {
    const out = join(dir(), 'alerts-head-start.txt');
    const { code, stderr, urls } = await loadedBy([
      ...['run', '--events', '200000', '--workers', '2', '--output', out],
    ]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, /\/packages\/engine\/dist\/runtime\/head-start\.js$/)).not.toEqual([]);
    expect(matching(urls, WORKER_POOL)).toEqual([]);
  });

  it('run --workers 2 loads the worker pool, and --checkpoint-dir the checkpoint code', async () => {
    const out = join(dir(), 'alerts-pool.txt');
    const { code, stderr, urls } = await loadedBy([
      ...['run', '--events', '200000', '--workers', '2', '--no-head-start', '--output', out],
      ...['--checkpoint-dir', join(dir(), 'checkpoints'), '--checkpoint-interval', '100000'],
    ]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, WORKER_POOL)).not.toEqual([]);
    expect(matching(urls, /\/@msgpack\/msgpack\//)).not.toEqual([]);
    expect(matching(urls, /\/packages\/cli\/dist\/checkpointing\.js$/)).not.toEqual([]);
  });

  it('run --metrics-port loads the metrics', async () => {
    const out = join(dir(), 'alerts-metrics.txt');
    const { code, stderr, urls } = await loadedBy([
      ...['run', '--events', '1000', '--workers', '0', '--output', out],
      ...['--metrics-port', '0', '--quiet'],
    ]);
    expect(code, stderr).toBe(EXIT.ok);
    expect(matching(urls, METRICS)).not.toEqual([]);
    expect(matching(urls, KAFKA)).toEqual([]);
  });

  it('run --brokers loads Kafka', async () => {
    // A malformed --brokers fails before any connection, after the Kafka run is loaded.
    const { code, stderr, urls } = await loadedBy([
      'run',
      '--brokers',
      'nohost',
      '--topic',
      't',
      '--group',
      'g',
    ]);
    expect(code, stderr).toBe(EXIT.usage);
    expect(matching(urls, KAFKA)).not.toEqual([]);
  });
});
