import { generatorSource } from '../generator/generator-source.js';
import type { MachineSource, MachineSourceContext } from './machine-context.js';

export interface FromGeneratorOptions {
  /** Events to generate. */
  events: number;
  /** Default 1; the same seed gives the same events everywhere. */
  seed?: number;
  /** Probability of an invalid event for a live address. Default 0. */
  errorRate?: number;
  /** Generator splits (part of the stream's identity, like the seed). Default 64. */
  splits?: number;
}

/** Flink's event generator for the job's machine, run inside the worker threads. */
export function fromGenerator(options: FromGeneratorOptions): MachineSource {
  return {
    open: ({ machine }: MachineSourceContext) => ({ chunks: generatorSource({ machine, ...options }) }),
  };
}
