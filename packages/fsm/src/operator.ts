import {
  AddressTable,
  type ChunkClock,
  type KeyedOperator,
  type KeyedState,
  keyGroupOf,
  type OperatorContext,
  type OutputBuffer,
  type WorkerPart,
} from '@statecraft/engine';
import { encodeAlert } from './alerts/alert-code.js';
import { compileMachine } from './machine/compile.js';
import type { MachineDefinition } from './machine/definition.js';
import { INVALID_TRANSITION } from './machine/limits.js';
import { type StateTtl, TTL_SWEEP_EVERY_CHUNKS } from './state-ttl.js';

export interface StateMachineOperatorConfig {
  machine: MachineDefinition;
  ttl?: StateTtl | undefined;
}

/**
 * The state machine as a keyed operator (Flink's StateMachineMapper): per address, the current
 * state (absent = initial); an invalid event emits an alert and leaves the state unchanged; a
 * terminal state releases the address. One AddressTable per key group, values are `state + 1`.
 * With a TTL, an address whose state was last written longer ago than that starts again from the
 * initial state (Flink's OnCreateAndWrite / NeverReturnExpired: an alert reads but does not write),
 * and such addresses are swept out every few chunks.
 */
export function createOperator(config: StateMachineOperatorConfig, context: OperatorContext): KeyedOperator {
  const machine = compileMachine(config.machine);
  const { transitions, terminal, initial } = machine;
  const eventCount = machine.eventNames.length;
  const first = context.keyGroupStart;
  const ttl = config.ttl;
  const stamped = ttl !== undefined;
  const tables: AddressTable[] = [];
  for (let kg = first; kg <= context.keyGroupEnd; kg++) tables.push(new AddressTable(undefined, stamped));
  let expired = 0;

  const sweep = (now: number, amount: number) => {
    for (const table of tables) expired += table.removeWhere((seen) => now - seen > amount);
  };

  return {
    process(part: WorkerPart, out: OutputBuffer, clock: ChunkClock): void {
      const { count, addresses, types, keyGroups, positions } = part;
      const byEvents = ttl?.unit === 'events';
      const wallNow = ttl?.unit === 'ms' ? Date.now() : 0;
      const ttlAmount = ttl?.amount ?? 0;
      if (stamped && clock.chunk % TTL_SWEEP_EVERY_CHUNKS === 0) {
        sweep(byEvents ? clock.firstEvent : wallNow, ttlAmount);
      }
      for (let i = 0; i < count; i++) {
        const address = addresses[i]!;
        const event = types[i]!;
        const table = tables[keyGroups[i]! - first]!;
        let slot = table.find(address);
        const now = byEvents ? clock.firstEvent + positions[i]! : wallNow;
        if (stamped && slot >= 0 && now - table.stampAt(slot) > ttlAmount) {
          table.removeAt(slot);
          expired++;
          slot = table.find(address);
        }
        const state = slot < 0 ? initial : table.valueAt(slot) - 1;
        const next = event < eventCount ? transitions[state * eventCount + event]! : INVALID_TRANSITION;
        if (next === INVALID_TRANSITION) {
          out.push(positions[i]!, address, encodeAlert(state, event));
        } else if (terminal[next] === 1) {
          if (slot >= 0) table.removeAt(slot);
        } else if (slot >= 0) {
          table.replaceAt(slot, next + 1);
          if (stamped) table.setStampAt(slot, now);
        } else {
          table.insertAt(slot, address, next + 1);
          if (stamped) table.setStampAt(table.find(address), now);
        }
      }
    },
    liveKeys(): number {
      let live = 0;
      for (const table of tables) live += table.count;
      return live;
    },
    expiredKeys: () => expired,
    snapshot(): KeyedState {
      let live = 0;
      for (const table of tables) live += table.count;
      const keys = new Uint32Array(live);
      const values = new Uint32Array(live);
      const stamps = stamped ? new Float64Array(live) : undefined;
      let n = 0;
      for (const table of tables) n = table.copyEntries(keys, values, stamps, n);
      for (let i = 0; i < live; i++) values[i]!--;
      return { keys, values, stamps };
    },
    restore(state: KeyedState): void {
      const { keys, values, stamps } = state;
      const groups = new Uint32Array(keys.length);
      const counts = new Uint32Array(tables.length);
      for (let i = 0; i < keys.length; i++) {
        const index = keyGroupOf(keys[i]!, context.partitions) - first;
        if (!(index >= 0 && index < tables.length)) {
          throw new RangeError(
            `restored address ${keys[i]} is not in key groups ${first}..${context.keyGroupEnd}`,
          );
        }
        groups[i] = index;
        counts[index]!++;
      }
      for (let index = 0; index < tables.length; index++) tables[index]!.reserve(counts[index]!);
      for (let i = 0; i < keys.length; i++) {
        tables[groups[i]!]!.set(keys[i]!, values[i]! + 1, stamps?.[i] ?? 0);
      }
    },
  };
}
