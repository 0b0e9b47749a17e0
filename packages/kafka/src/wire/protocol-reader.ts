import { KafkaError } from '../errors.js';

/** Reads Kafka protocol fields from a response, failing clearly when it ends early. */
export class ProtocolReader {
  offset: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    private readonly what = 'response',
  ) {
    this.offset = offset;
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.buffer.length) {
      throw new KafkaError(
        `malformed Kafka ${this.what}: ${bytes} more bytes needed at byte ${this.offset} of ${this.buffer.length}`,
      );
    }
  }

  int8(): number {
    this.need(1);
    return this.buffer.readInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** An INT64 as a number (offsets and timestamps are safe integers in practice). */
  int64(): number {
    this.need(8);
    const value = Number(this.buffer.readBigInt64BE(this.offset));
    this.offset += 8;
    return value;
  }

  /** `length` fixed bytes (a UUID, say), without a copy. */
  bytes(length: number): Buffer {
    this.need(length);
    this.offset += length;
    return this.buffer.subarray(this.offset - length, this.offset);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const byte = this.buffer[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
      if (shift > 35)
        throw new KafkaError(`malformed Kafka ${this.what}: varint too long at byte ${this.offset}`);
    }
  }

  compactString(): string | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    this.need(length);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** A compact byte field's [start, end) in the buffer (no copy); null when null. */
  compactBytesRange(): [number, number] | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    this.need(length);
    const start = this.offset;
    this.offset += length;
    return [start, this.offset];
  }

  compactArray<T>(read: (reader: this) => T): T[] {
    const length = this.uvarint() - 1;
    const items: T[] = [];
    for (let i = 0; i < length; i++) items.push(read(this));
    return items;
  }

  /** Skips the tagged fields (none of them are used). */
  tags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.need(size);
      this.offset += size;
    }
  }
}
