// A keyed operator of one's own, loaded by every worker thread: counts consecutive failed
// passwords per address and emits an output when they reach the threshold. State lives per key
// group in typed-array hash tables, like the state machine's; no object per address.
import {
  AddressTable,
  type KeyedOperator,
  type OperatorContext,
  type OutputBuffer,
  type WorkerPart,
} from '@statecraft/engine';

export interface FailedLoginsConfig {
  /** Event codes (indexes in the job's event names). */
  failure: number;
  success: number;
  /** Consecutive failures that raise an output (1..254). */
  threshold: number;
}

export function createOperator(config: FailedLoginsConfig, context: OperatorContext): KeyedOperator {
  const { failure, success, threshold } = config;
  const first = context.keyGroupStart;
  const tables: AddressTable[] = [];
  for (let kg = first; kg <= context.keyGroupEnd; kg++) tables.push(new AddressTable());

  return {
    process(part: WorkerPart, out: OutputBuffer): void {
      for (let i = 0; i < part.count; i++) {
        const type = part.types[i]!;
        if (type !== failure && type !== success) continue;
        const address = part.addresses[i]!;
        const table = tables[part.keyGroups[i]! - first]!;
        const slot = table.find(address);
        if (type === success) {
          if (slot >= 0) table.removeAt(slot);
          continue;
        }
        // Values are 1..255 (0 marks an empty slot): the count of failures so far.
        const failures = (slot >= 0 ? table.valueAt(slot) : 0) + 1;
        if (failures >= threshold) {
          out.push(part.positions[i]!, address, failures);
          if (slot >= 0) table.removeAt(slot);
        } else if (slot >= 0) {
          table.replaceAt(slot, failures);
        } else {
          table.insertAt(slot, address, failures);
        }
      }
    },
    liveKeys(): number {
      return tables.reduce((n, table) => n + table.count, 0);
    },
  };
}
