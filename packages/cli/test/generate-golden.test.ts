import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, ROOT, runCli, useTempDir } from './helpers.js';

/**
 * sha256 of `statecraft generate` files, computed by the command of 2026-12-05 before it encoded
 * events straight into bytes (it built strings per chunk then). A given seed's file must keep its
 * bytes: users compare and share them. 150,001 events make every format's file span several of the
 * writer's 1 MiB buffers, with a last, partial chunk.
 */
const STREAM = ['--events', '150001', '--seed', '7', '--error-rate', '0.05'];
const LOGIN = ['--machine', join(ROOT, 'examples/machines/login.json'), '--generator-splits', '3'];
const GOLDEN: [string, string, string[], string][] = [
  ['csv', 'seed', [], 'bead31697ccace56b5465a7ed8b5917eed67b1b37da71351d0696110b5814f22'],
  ['ndjson', 'seed', [], 'd9f0e107a010b719c3cc24fd1db477bbff787d6117a09b07605d7d3917ba8c57'],
  ['flink-binary', 'seed', [], 'ef6af130f452f30a885aefde58c2552dc846d30b07c9244756b614800b705da4'],
  ['csv', 'login.json', LOGIN, '7636338c00d0803b4d47810df557aca8e035dad47978f3bad28992c5781e90fa'],
  ['ndjson', 'login.json', LOGIN, 'c433b7afd3891c22a753540eb2c33046d160083061d37f552e55d53a0aa360be'],
  ['flink-binary', 'login.json', LOGIN, '2c7a18ccc0f75d67016a65184c10512b20e43b4b3850c87e5fff500093be25b8'],
];

const dir = useTempDir();
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(() => {
  assertBuilt();
});

describe('generate writes the same bytes as before for a given seed', () => {
  it.each(GOLDEN)('--format %s, %s machine', async (format, _name, machine, expected) => {
    const out = join(dir(), `events.${format}`);
    const result = await runCli([
      'generate',
      ...STREAM,
      ...machine,
      '--format',
      format,
      '--out',
      out,
      '--quiet',
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(sha256(await readFile(out))).toBe(expected);
  });

  it('writes the same bytes to stdout (a pipe)', async () => {
    const result = await runCli(['generate', ...STREAM, '--format', 'ndjson', '--out', '-', '--quiet']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(sha256(result.stdout)).toBe(GOLDEN[1]![3]);
  });
});
