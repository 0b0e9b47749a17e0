import type { MachineDefinition } from './definition.js';

/** The seed document's machine: Flink's example with the `Z -f-> Z` loop. */
export const SEED_MACHINE: MachineDefinition = {
  name: 'seed',
  initial: 'Initial',
  events: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  states: {
    Initial: { a: { to: 'W', p: 0.6 }, c: { to: 'X', p: 0.4 } },
    W: { b: 'Y' },
    X: { b: { to: 'Y', p: 0.2 }, d: { to: 'Z', p: 0.8 } },
    Y: { e: 'Z' },
    Z: { f: { to: 'Z', p: 0.3 }, g: { to: 'Terminal', p: 0.7 } },
    Terminal: {},
  },
};

/** Apache Flink's StateMachineExample as it is today: no `Z -f-> Z`, `Z -g-> Terminal` always. */
export const FLINK_MACHINE: MachineDefinition = {
  name: 'flink',
  initial: 'Initial',
  events: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  states: {
    Initial: { a: { to: 'W', p: 0.6 }, c: { to: 'X', p: 0.4 } },
    W: { b: 'Y' },
    X: { b: { to: 'Y', p: 0.2 }, d: { to: 'Z', p: 0.8 } },
    Y: { e: 'Z' },
    Z: { g: 'Terminal' },
    Terminal: {},
  },
};

export const PRESETS: Readonly<Record<string, MachineDefinition>> = {
  seed: SEED_MACHINE,
  flink: FLINK_MACHINE,
};
