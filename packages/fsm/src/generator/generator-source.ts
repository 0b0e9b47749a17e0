import { type IndexedSource, moduleBeside } from '@statecraft/engine';
import type { MachineDefinition } from '../machine/definition.js';
import { type GeneratorOptions, planGenerator } from './event-stream.js';

/** What the worker threads need to rebuild the generator (the machine travels as its definition). */
export interface GeneratorSourceConfig {
  machine: MachineDefinition;
  events: number;
  seed: number;
  errorRate: number;
  splits: number;
  chunkSize: number;
  addressRange: readonly [number, number];
}

/**
 * The generator as a parallel source: the worker threads generate the chunks themselves, each split
 * on one producer, so generating events scales with the producers instead of capping the job at
 * one core. The stream is the same as `generateChunks` with the same options.
 */
export function generatorSource(options: GeneratorOptions): IndexedSource {
  const plan = planGenerator(options);
  const config: GeneratorSourceConfig = {
    machine: plan.machine.definition,
    events: plan.events,
    seed: plan.seed,
    errorRate: plan.errorRate,
    splits: plan.splits,
    chunkSize: plan.chunkSize,
    addressRange: plan.addressRange,
  };
  return {
    kind: 'parallel',
    module: moduleBeside(import.meta.url, 'generator-producer'),
    config,
    chunks: plan.chunks,
    splits: plan.splits,
    chunkEvents: plan.chunkSize,
    name: 'generator',
  };
}
