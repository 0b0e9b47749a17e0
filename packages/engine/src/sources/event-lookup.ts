const NOT_FOUND = -1;

/**
 * Maps event names, as bytes, to event codes. One-byte names (the presets' a..g) use a 256-entry
 * table; longer names fall back to a Map keyed by the latin1 string.
 */
export class EventLookup {
  private readonly single = new Int16Array(256).fill(NOT_FOUND);
  private readonly named = new Map<string, number>();
  readonly names: readonly string[];

  constructor(eventNames: readonly string[]) {
    this.names = eventNames;
    eventNames.forEach((name, code) => {
      if (name.length === 1 && name.charCodeAt(0) < 256) this.single[name.charCodeAt(0)] = code;
      else this.named.set(name, code);
    });
  }

  /** The code of the one-byte name `byte`, or -1. */
  findByte(byte: number): number {
    return this.single[byte]!;
  }

  /** The code of the name in bytes[start, end), or -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    if (end - start === 1) return this.single[bytes[start]!]!;
    if (this.named.size === 0 || end <= start) return NOT_FOUND;
    let name = '';
    for (let i = start; i < end; i++) name += String.fromCharCode(bytes[i]!);
    return this.named.get(name) ?? NOT_FOUND;
  }
}
