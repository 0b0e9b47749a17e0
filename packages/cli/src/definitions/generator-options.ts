import { DEFAULT_GENERATOR_SPLITS } from './defaults.js';

/** The generator's flags, shared by `run`, `generate` and `produce`. */
export const generatorOptions = {
  events: { type: 'number', describe: 'events to generate' },
  'error-rate': {
    type: 'number',
    default: 0,
    describe: 'probability of an invalid event for a live machine',
  },
  seed: { type: 'number', default: 1, describe: 'generator seed (0..4294967295)' },
  machine: { type: 'string', default: 'seed', describe: 'state machine: seed, flink or a .json definition' },
  'generator-splits': {
    type: 'number',
    default: DEFAULT_GENERATOR_SPLITS,
    describe: 'generator splits G (part of the stream identity, like the seed)',
  },
  quiet: { type: 'boolean', default: false, describe: 'no status, progress or summary on stderr' },
} as const;
