import { crc32 } from 'node:zlib';
import { decode, encode } from '@msgpack/msgpack';
import { CHECKPOINT_FORMAT_VERSION, type Checkpoint } from './checkpoint.js';
import { CheckpointError } from './checkpoint-errors.js';

const MAGIC = Buffer.from('SCRFTCKP', 'latin1');
/** Magic, format version (u32), CRC-32 of the body (u32), body length (u64); little-endian. */
const HEADER_BYTES = 24;

const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** A checkpoint as bytes: a fixed header, then the MessagePack body; typed arrays stay raw bytes. */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { keyed, splits, ...meta } = checkpoint;
  const body = encode({
    ...meta,
    keyed: {
      keys: bytesOf(keyed.keys),
      values: bytesOf(keyed.values),
      ...(keyed.stamps === undefined ? {} : { stamps: bytesOf(keyed.stamps) }),
    },
    splits: splits.map(({ split, state }) => ({ split, state })),
  });
  const file = Buffer.alloc(HEADER_BYTES + body.byteLength);
  MAGIC.copy(file, 0);
  file.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, 8);
  file.writeUInt32LE(crc32(body), 12);
  file.writeBigUInt64LE(BigInt(body.byteLength), 16);
  file.set(body, HEADER_BYTES);
  return file;
}

/** Reads a checkpoint, checking magic, version, length and checksum; throws CheckpointError. */
export function decodeCheckpoint(file: Uint8Array): Checkpoint {
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
  let raw: unknown;
  try {
    raw = decode(body);
  } catch (error) {
    throw new CheckpointError(`undecodable body: ${error instanceof Error ? error.message : String(error)}`);
  }
  return checkShape(raw);
}

function checkShape(raw: unknown): Checkpoint {
  const value = raw as Record<string, unknown> & {
    keyed?: Record<string, unknown>;
    splits?: unknown;
  };
  const counts = ['chunk', 'firstEvent', 'outputs', 'outputPosition', 'expiredKeys', 'workers', 'partitions'];
  for (const field of counts) {
    if (!Number.isSafeInteger(value?.[field])) throw new CheckpointError(`field ${field} is missing`);
  }
  if (typeof value.job !== 'string') throw new CheckpointError('field job is missing');
  const keyed = value.keyed;
  if (!(keyed?.keys instanceof Uint8Array && keyed.values instanceof Uint8Array)) {
    throw new CheckpointError('field keyed is missing');
  }
  const keys = new Uint32Array(copy(keyed.keys, 4, 'keyed.keys'));
  const values = new Uint32Array(copy(keyed.values, 4, 'keyed.values'));
  const stamps =
    keyed.stamps instanceof Uint8Array ? new Float64Array(copy(keyed.stamps, 8, 'keyed.stamps')) : undefined;
  if (values.length !== keys.length || (stamps !== undefined && stamps.length !== keys.length)) {
    throw new CheckpointError('keyed state columns differ in length');
  }
  if (!Array.isArray(value.splits)) throw new CheckpointError('field splits is missing');
  const splits = value.splits.map((entry: { split?: unknown; state?: unknown }) => {
    if (!(Number.isSafeInteger(entry?.split) && entry.state instanceof Uint8Array)) {
      throw new CheckpointError('a split state is malformed');
    }
    return { split: entry.split as number, state: new Uint8Array(entry.state) };
  });
  return { ...(value as unknown as Checkpoint), keyed: { keys, values, stamps }, splits };
}

/** An aligned copy of a byte run that must hold whole elements of `size` bytes. */
function copy(bytes: Uint8Array, size: number, field: string): ArrayBuffer {
  if (bytes.byteLength % size !== 0) throw new CheckpointError(`${field} is not a whole number of elements`);
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return aligned.buffer;
}
