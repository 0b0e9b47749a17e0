import {
  AddressTable,
  type KeyedOperator,
  type OperatorContext,
  type OutputBuffer,
  type WorkerPart,
} from '@statecraft/engine';
import { encodeAlert } from './alerts/alert-code.js';
import { compileMachine } from './machine/compile.js';
import type { MachineDefinition } from './machine/definition.js';
import { INVALID_TRANSITION } from './machine/limits.js';

export interface StateMachineOperatorConfig {
  machine: MachineDefinition;
}

/**
 * The state machine as a keyed operator (Flink's StateMachineMapper): per address, the current
 * state (absent = initial); an invalid event emits an alert and leaves the state unchanged; a
 * terminal state releases the address. One AddressTable per key group, values are `state + 1`.
 */
export function createOperator(config: StateMachineOperatorConfig, context: OperatorContext): KeyedOperator {
  const machine = compileMachine(config.machine);
  const { transitions, terminal, initial } = machine;
  const eventCount = machine.eventNames.length;
  const first = context.keyGroupStart;
  const tables: AddressTable[] = [];
  for (let kg = first; kg <= context.keyGroupEnd; kg++) tables.push(new AddressTable());

  return {
    process(part: WorkerPart, out: OutputBuffer): void {
      const { count, addresses, types, keyGroups, positions } = part;
      for (let i = 0; i < count; i++) {
        const address = addresses[i]!;
        const event = types[i]!;
        const table = tables[keyGroups[i]! - first]!;
        const slot = table.find(address);
        const state = slot < 0 ? initial : table.valueAt(slot) - 1;
        const next = event < eventCount ? transitions[state * eventCount + event]! : INVALID_TRANSITION;
        if (next === INVALID_TRANSITION) {
          out.push(positions[i]!, address, encodeAlert(state, event));
        } else if (terminal[next] === 1) {
          if (slot >= 0) table.removeAt(slot);
        } else if (slot >= 0) {
          table.replaceAt(slot, next + 1);
        } else {
          table.insertAt(slot, address, next + 1);
        }
      }
    },
    liveKeys(): number {
      let live = 0;
      for (const table of tables) live += table.count;
      return live;
    },
  };
}
