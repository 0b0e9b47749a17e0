import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { EventBatch, OutputColumns } from '../src/batch.js';
import type { OutputSink } from '../src/sinks/sink.js';

/** The file: URL of an operator fixture module in test/fixtures. */
export function fixture(name: string): string {
  return new URL(`./fixtures/${name}.ts`, import.meta.url).href;
}

/** The engine package's root directory (where child processes run). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** A new temporary directory, statecraft-<name>-XXXXXX. */
const makeTempDir = (name: string) => mkdtempSync(join(tmpdir(), `statecraft-${name}-`));
const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/**
 * Temporary directories for the calling test file, one per call of the returned function; each is
 * removed, with everything in it, after the test that made it.
 */
export function freshDirs(name: string): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) removeDir(dir);
  });
  return () => {
    const dir = makeTempDir(name);
    made.push(dir);
    return dir;
  };
}

/**
 * One temporary directory for the calling test file: made in a beforeAll, removed with everything
 * in it in an afterAll. Call it before the hooks that use the directory; the returned function
 * gives its path (in hooks and tests, not while the file is being collected).
 */
export function useTempDir(name: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = makeTempDir(name);
  });
  afterAll(() => {
    if (dir !== undefined) removeDir(dir);
  });
  return () => {
    if (dir === undefined)
      throw new Error(`the ${name} temporary directory is made in beforeAll: read it in a hook or a test`);
    return dir;
  };
}

/** A small seeded PRNG (mulberry32) so that "random" test data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform uint32 from a PRNG. */
export function randomUint32(random: () => number): number {
  return Math.floor(random() * 4294967296) >>> 0;
}

/** One event: key (IPv4 address as uint32) and type code. */
export type Event = readonly [address: number, type: number];

/** A deterministic stream of `n` events over `keys` distinct addresses (0 and 0xffffffff included). */
export function randomEvents(seed: number, n: number, keys: number, types = 4): Event[] {
  const random = prng(seed);
  const pool = [0, 0xffffffff];
  while (pool.length < keys) pool.push(randomUint32(random));
  const events: Event[] = [];
  for (let i = 0; i < n; i++) {
    events.push([pool[Math.floor(random() * pool.length)]!, Math.floor(random() * types)]);
  }
  return events;
}

/**
 * Cuts events into batches of `size` (the last may be shorter). With `padding`, each batch's arrays
 * are longer than its count and the extra slots hold junk that must be ignored.
 */
export function toBatches(events: readonly Event[], size: number, padding = 0): EventBatch[] {
  const batches: EventBatch[] = [];
  for (let start = 0; start < events.length; start += size) {
    const slice = events.slice(start, start + size);
    const addresses = new Uint32Array(slice.length + padding).fill(0xdeadbeef);
    const types = new Uint8Array(slice.length + padding).fill(0);
    slice.forEach(([address, type], i) => {
      addresses[i] = address;
      types[i] = type;
    });
    batches.push({ count: slice.length, addresses, types });
  }
  return batches;
}

/**
 * Cuts events into consecutive batches of the given sizes (0 gives an empty batch); what the sizes
 * do not cover becomes one last batch.
 */
export function toBatchesOfSizes(events: readonly Event[], sizes: readonly number[]): EventBatch[] {
  const batches: EventBatch[] = [];
  let start = 0;
  const cut = (size: number) => {
    const slice = events.slice(start, start + size);
    start += slice.length;
    batches.push(slice.length === 0 ? emptyBatch() : toBatches(slice, slice.length)[0]!);
  };
  for (const size of sizes) cut(size);
  if (start < events.length) cut(events.length - start);
  return batches;
}

export function emptyBatch(): EventBatch {
  return { count: 0, addresses: new Uint32Array(0), types: new Uint8Array(0) };
}

/** An output as recorded by a sink: the chunk, the position in the chunk, the key and the code. */
export type Output = readonly [chunk: number, position: number, key: number, code: number];

/**
 * What the counter fixture (test/fixtures/counter.ts) must produce for these batches, computed on
 * one thread: per key, a count of its events; type 0 emits the count, type 1 forgets the key.
 */
export function counterReference(
  batches: readonly EventBatch[],
  copies = 1,
): { outputs: Output[]; liveKeys: number; events: number } {
  const counts = new Map<number, number>();
  const outputs: Output[] = [];
  let events = 0;
  batches.forEach((batch, chunk) => {
    for (let i = 0; i < batch.count; i++) {
      const key = batch.addresses[i]!;
      const type = batch.types[i]!;
      const count = (counts.get(key) ?? 0) + 1;
      if (type === 1) counts.delete(key);
      else counts.set(key, count);
      if (type === 0) for (let c = 0; c < copies; c++) outputs.push([chunk, i, key, count * copies + c]);
      events++;
    }
  });
  return { outputs, liveKeys: counts.size, events };
}

/** A sink that records every output and the chunk of every write, and checks nothing itself. */
export function recordingSink(): OutputSink & { outputs: Output[]; chunks: number[]; closed: number } {
  const sink = {
    outputs: [] as Output[],
    chunks: [] as number[],
    closed: 0,
    write(chunk: number, columns: OutputColumns) {
      sink.chunks.push(chunk);
      for (let i = 0; i < columns.count; i++) {
        sink.outputs.push([chunk, columns.positions[i]!, columns.keys[i]!, columns.codes[i]!]);
      }
    },
    close() {
      sink.closed++;
    },
  };
  return sink;
}

/** Columns from plain arrays. */
export function columns(positions: number[], keys?: number[], codes?: number[]): OutputColumns {
  return {
    count: positions.length,
    positions: Uint32Array.from(positions),
    keys: Uint32Array.from(keys ?? positions),
    codes: Uint32Array.from(codes ?? positions),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ChildResult {
  /** Exit code, or null when it had to be killed. */
  code: number | null;
  /** True when it did not exit on its own within the timeout and was killed. */
  killed: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node --import tsx <script> ...args` from the engine package and waits for it to exit on its
 * own; a child still running after `timeoutMs` is killed (SIGKILL) and reported as `killed`. With
 * `after`, the timeout starts once the child's stdout contains that text instead of at the start.
 */
export function runTsChild(
  script: string,
  args: readonly string[],
  timeoutMs: number,
  after?: string,
): Promise<ChildResult> {
  return runNodeChild(['--import', 'tsx', script, ...args], timeoutMs, after);
}

/** As runTsChild, for `node <nodeArgs>` (no tsx: the child loads only built JavaScript). */
export function runNodeChild(
  nodeArgs: readonly string[],
  timeoutMs: number,
  after?: string,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    let armed = after === undefined;
    let timer = setTimeout(kill, armed ? timeoutMs : 60_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (!armed && after !== undefined && stdout.includes(after)) {
        armed = true;
        clearTimeout(timer);
        timer = setTimeout(kill, timeoutMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, stdout, stderr });
    });
  });
}
