import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import type { KeyedState } from '../operator.js';
import { CHECKPOINT_FORMAT_VERSION } from './checkpoint.js';
import { CheckpointError } from './checkpoint-errors.js';

// msgpack is loaded for checkpoints, not with the engine: a job that takes none (most short ones)
// never pays its ~10 ms. A job that checkpoints loads it first (loadCheckpointCodec: an import()
// bundlers see); framing is synchronous, so a frame made without that falls back to require.
type MessagePack = typeof import('@msgpack/msgpack');
let msgpack: MessagePack | undefined;

/**
 * Loads the checkpoint codec (msgpack). runJob and the Kafka job call it before their first
 * checkpoint; call it before using a CheckpointStore or the frame functions directly, so a missing
 * dependency fails there, with its own error, and a bundler sees the import.
 */
export async function loadCheckpointCodec(): Promise<void> {
  msgpack ??= await import('@msgpack/msgpack');
}

const codec = (): MessagePack =>
  (msgpack ??= createRequire(import.meta.url)('@msgpack/msgpack') as MessagePack);

const MAGIC = Buffer.from('SCRFTCKP', 'latin1');
/** Magic, format version (u32), CRC-32 of the body (u32), body length (u64); little-endian. */
const HEADER_BYTES = 24;

const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/**
 * A checkpoint file's bytes: a fixed header, then `record` in MessagePack. The checkpoints of
 * whole jobs and of Kafka partitions share it.
 */
export function frameCheckpoint(record: Record<string, unknown>): Uint8Array {
  const body = codec().encode(record);
  const file = Buffer.alloc(HEADER_BYTES + body.byteLength);
  MAGIC.copy(file, 0);
  file.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, 8);
  file.writeUInt32LE(crc32(body), 12);
  file.writeBigUInt64LE(BigInt(body.byteLength), 16);
  file.set(body, HEADER_BYTES);
  return file;
}

/** The record in a checkpoint file, after checking magic, version, length and checksum; throws CheckpointError. */
export function unframeCheckpoint(file: Uint8Array): Record<string, unknown> {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.length < HEADER_BYTES) throw new CheckpointError(`truncated (${bytes.length} bytes)`);
  if (!bytes.subarray(0, 8).equals(MAGIC)) throw new CheckpointError('not a Statecraft checkpoint');
  const version = bytes.readUInt32LE(8);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `format version ${version}; this build reads version ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
  const length = Number(bytes.readBigUInt64LE(16));
  if (bytes.length - HEADER_BYTES !== length) {
    throw new CheckpointError(`truncated: body has ${bytes.length - HEADER_BYTES} of ${length} bytes`);
  }
  const body = bytes.subarray(HEADER_BYTES);
  if (crc32(body) !== bytes.readUInt32LE(12)) throw new CheckpointError('checksum mismatch');
  const { decode } = codec(); // outside the try: a codec that cannot load is not a corrupt file
  let record: unknown;
  try {
    record = decode(body);
  } catch (error) {
    throw new CheckpointError(`undecodable body: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof record !== 'object' || record === null) throw new CheckpointError('the body is not a record');
  return record as Record<string, unknown>;
}

/** Keyed state as a record field: its typed arrays as raw bytes. */
export function keyedStateField(keyed: KeyedState): Record<string, Uint8Array> {
  return {
    keys: bytesOf(keyed.keys),
    values: bytesOf(keyed.values),
    ...(keyed.stamps === undefined ? {} : { stamps: bytesOf(keyed.stamps) }),
  };
}

/** Keyed state back from a record field; throws CheckpointError when it is malformed. */
export function keyedStateFromField(field: unknown, name = 'keyed'): KeyedState {
  const keyed = field as Record<string, unknown> | undefined;
  if (!(keyed?.keys instanceof Uint8Array && keyed.values instanceof Uint8Array)) {
    throw new CheckpointError(`field ${name} is missing`);
  }
  const keys = new Uint32Array(copy(keyed.keys, 4, `${name}.keys`));
  const values = new Uint32Array(copy(keyed.values, 4, `${name}.values`));
  const stamps =
    keyed.stamps instanceof Uint8Array
      ? new Float64Array(copy(keyed.stamps, 8, `${name}.stamps`))
      : undefined;
  if (values.length !== keys.length || (stamps !== undefined && stamps.length !== keys.length)) {
    throw new CheckpointError('keyed state columns differ in length');
  }
  return { keys, values, stamps };
}

/** Throws CheckpointError unless every named field is a safe integer. */
export function requireIntegers(record: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    if (!Number.isSafeInteger(record[field])) throw new CheckpointError(`field ${field} is missing`);
  }
}

/** An aligned copy of a byte run that must hold whole elements of `size` bytes. */
function copy(bytes: Uint8Array, size: number, field: string): ArrayBuffer {
  if (bytes.byteLength % size !== 0) throw new CheckpointError(`${field} is not a whole number of elements`);
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return aligned.buffer;
}
