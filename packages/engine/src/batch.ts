/**
 * A columnar batch of events: `addresses[i]` (the key, an IPv4 address as uint32) and `types[i]`
 * (an event code) for i < count. The arrays may be longer than `count`.
 */
export interface EventBatch {
  count: number;
  addresses: Uint32Array;
  types: Uint8Array;
}

/** A run of events that goes to one worker: positions are indexes into the source chunk. */
export interface WorkerPart extends EventBatch {
  keyGroups: Uint32Array;
  positions: Uint32Array;
}

/**
 * What an operator emits, columnar: for record i, the position of the event that caused it in its
 * chunk, the key, and an operator-defined 32-bit code (the state machine packs state and event).
 */
export interface OutputColumns {
  count: number;
  positions: Uint32Array;
  keys: Uint32Array;
  codes: Uint32Array;
}

export function createEventBatch(capacity: number): EventBatch {
  return { count: 0, addresses: new Uint32Array(capacity), types: new Uint8Array(capacity) };
}
