import {
  AddressTable,
  type ChunkClock,
  type KeyedOperator,
  type KeyedState,
  keyGroupOf,
  type OperatorContext,
  type OutputBuffer,
  REJECT_TRANSITION,
  type WorkerPart,
} from '@statecraft/engine/operator-kit';
import { encodeAlert } from './alerts/alert-code.js';
import { type CompiledMachine, compileMachine } from './machine/compile.js';
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
 * terminal state releases the address. One AddressTable holds the addresses of all the instance's
 * key groups (one probe per event, no table lookup per event); values are `state + 1`.
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
  const table = new AddressTable(undefined, stamped);
  const step = stepTable(machine);
  let rejectedAt = new Uint32Array(0);
  let rejectedValue = new Uint8Array(0);
  let expired = 0;

  /** The per-event path with a TTL (stamps read and written per event); returns the keys expired. */
  const processWithTtl = (part: WorkerPart, out: OutputBuffer, clock: ChunkClock, ttl: StateTtl): number => {
    const { count, addresses, types, positions } = part;
    const byEvents = ttl.unit === 'events';
    const wallNow = ttl.unit === 'ms' ? Date.now() : 0;
    const ttlAmount = ttl.amount;
    const now0 = byEvents ? clock.firstEvent : wallNow;
    let dropped = 0;
    if (clock.chunk % TTL_SWEEP_EVERY_CHUNKS === 0) {
      dropped += table.removeWhere((seen) => now0 - seen > ttlAmount);
    }
    for (let i = 0; i < count; i++) {
      const address = addresses[i]!;
      const event = types[i]!;
      let slot = table.find(address);
      const now = byEvents ? clock.firstEvent + positions[i]! : wallNow;
      if (slot >= 0 && now - table.stampAt(slot) > ttlAmount) {
        table.removeAt(slot);
        dropped++;
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
        table.setStampAt(slot, now);
      } else {
        table.insertAt(slot, address, next + 1);
        table.setStampAt(table.find(address), now);
      }
    }
    return dropped;
  };

  return {
    process(part: WorkerPart, out: OutputBuffer, clock: ChunkClock): void {
      if (ttl !== undefined) {
        expired += processWithTtl(part, out, clock, ttl);
        return;
      }
      const { count, addresses, types, positions } = part;
      if (rejectedAt.length < count) {
        rejectedAt = new Uint32Array(count);
        rejectedValue = new Uint8Array(count);
      }
      const rejected = table.applyTransitions(addresses, types, count, step, rejectedAt, rejectedValue);
      for (let r = 0; r < rejected; r++) {
        const i = rejectedAt[r]!;
        const value = rejectedValue[r]!;
        out.push(positions[i]!, addresses[i]!, encodeAlert(value === 0 ? initial : value - 1, types[i]!));
      }
    },
    liveKeys: () => table.count,
    expiredKeys: () => expired,
    snapshot(): KeyedState {
      const live = table.count;
      const keys = new Uint32Array(live);
      const values = new Uint32Array(live);
      const stamps = stamped ? new Float64Array(live) : undefined;
      table.copyEntries(keys, values, stamps, 0);
      for (let i = 0; i < live; i++) values[i]!--;
      return { keys, values, stamps };
    },
    restore(state: KeyedState): void {
      const { keys, values, stamps } = state;
      for (let i = 0; i < keys.length; i++) {
        const keyGroup = keyGroupOf(keys[i]!, context.partitions);
        if (!(keyGroup >= first && keyGroup <= context.keyGroupEnd)) {
          throw new RangeError(
            `restored address ${keys[i]} is not in key groups ${first}..${context.keyGroupEnd}`,
          );
        }
      }
      table.reserve(keys.length);
      for (let i = 0; i < keys.length; i++) table.set(keys[i]!, values[i]! + 1, stamps?.[i] ?? 0);
    },
  };
}

/**
 * The machine as the table's transition codes: entry `(value << 8) | event`, for a stored value
 * (0 = absent, i.e. the initial state; else state + 1) and any event byte, is the value to store
 * next (0 when the machine terminates: the address is released) or REJECT_TRANSITION.
 */
function stepTable(machine: CompiledMachine): Uint16Array {
  const { transitions, terminal, initial, stateNames } = machine;
  const eventCount = machine.eventNames.length;
  const step = new Uint16Array((stateNames.length + 1) << 8).fill(REJECT_TRANSITION);
  for (let value = 0; value <= stateNames.length; value++) {
    const state = value === 0 ? initial : value - 1;
    for (let event = 0; event < eventCount; event++) {
      const next = transitions[state * eventCount + event]!;
      if (next === INVALID_TRANSITION) continue;
      step[(value << 8) | event] = terminal[next] === 1 ? 0 : next + 1;
    }
  }
  return step;
}
