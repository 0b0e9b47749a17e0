import { createHash } from 'node:crypto';
import { encodeFlinkBinaryEvents } from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import {
  compileMachine,
  FLINK_MACHINE,
  type GeneratorOptions,
  generateChunks,
  SEED_MACHINE,
} from '../src/index.js';

const seed = compileMachine(SEED_MACHINE);
const flink = compileMachine(FLINK_MACHINE);

/**
 * sha256 of the generator's stream (each event as Flink's 8-byte record), computed by the code of
 * 2026-12-05 before the generator's queue became a ring filled in runs of 1,024 events. The stream
 * for a seed is part of the contract (`generate` files, `run` without `--input`, checkpoints), so
 * these must never change. The cases cross what the rewrite touched: more than 65,536 queue appends
 * per split (where the old queue compacted), every error path (rates 0.05, 0.3, 1), chunk sizes that
 * are not multiples of the 1,024-event runs, and the flink machine.
 */
const GOLDEN: [string, Omit<GeneratorOptions, 'machine'>, string][] = [
  [
    'seed',
    { events: 400_000, seed: 42, errorRate: 0, splits: 2, chunkSize: 65_536 },
    '090a1b9ead90a73594a5fb7d4b7254b2ae5e261f77be65eae77a90da9c8380e5',
  ],
  [
    'seed',
    { events: 300_001, seed: 7, errorRate: 0.05, splits: 3, chunkSize: 10_000 },
    '6210da435add6ece74b9ef9d71895722ef50d83b2f54ba64ef2617620aa60e2e',
  ],
  [
    'flink',
    { events: 200_000, seed: 3, errorRate: 0.3, splits: 1, chunkSize: 4_097 },
    '6e351018cd0834d3d4c8ca57331b2fb5942080e28780a0c6fd6de1ad678523bb',
  ],
  [
    'seed',
    { events: 50_000, seed: 9, errorRate: 1, splits: 1, chunkSize: 50_000 },
    'a7ab41e7c6e3cdee0b5d3d90ecd49feb01b867b08d0858986b30c4d1e70548fc',
  ],
];

describe('the generator’s stream for a seed', () => {
  it.each(GOLDEN)('is unchanged: %s machine, %o', (name, options, sha256) => {
    const hash = createHash('sha256');
    for (const batch of generateChunks({ machine: name === 'flink' ? flink : seed, ...options })) {
      hash.update(encodeFlinkBinaryEvents(batch));
    }
    expect(hash.digest('hex')).toBe(sha256);
  });

  it('is the same when every chunk is refilled into one batch', () => {
    const [, options, sha256] = GOLDEN[1]!;
    const hash = createHash('sha256');
    const into = {
      count: 0,
      addresses: new Uint32Array(options.chunkSize!),
      types: new Uint8Array(options.chunkSize!),
    };
    for (const batch of generateChunks({ machine: seed, ...options }, into)) {
      expect(batch).toBe(into);
      hash.update(encodeFlinkBinaryEvents(batch));
    }
    expect(hash.digest('hex')).toBe(sha256);
  });
});
