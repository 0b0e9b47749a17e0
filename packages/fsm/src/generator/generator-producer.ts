import { type ChunkProducer, createEventBatch, type SplitState } from '@statecraft/engine/operator-kit';
import { compileMachine } from '../machine/compile.js';
import { GeneratorChunks } from './event-stream.js';
import type { GeneratorSourceConfig } from './generator-source.js';

/** Loaded by the worker threads of a job whose source is `generatorSource(...)`. */
export function createChunkProducer(
  config: GeneratorSourceConfig,
  restored: readonly SplitState[] = [],
): ChunkProducer {
  const chunks = new GeneratorChunks({ ...config, machine: compileMachine(config.machine) }, restored);
  const scratch = createEventBatch(config.chunkSize);
  return { produce: (chunk) => chunks.produce(chunk, scratch), snapshot: () => chunks.snapshot() };
}
