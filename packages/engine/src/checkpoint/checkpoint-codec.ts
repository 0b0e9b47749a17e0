import type { Checkpoint } from './checkpoint.js';
import { CheckpointError } from './checkpoint-errors.js';
import {
  frameCheckpoint,
  keyedStateField,
  keyedStateFromField,
  requireIntegers,
  unframeCheckpoint,
} from './checkpoint-frame.js';

/** A checkpoint as bytes: a fixed header, then the MessagePack body; typed arrays stay raw bytes. */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { keyed, splits, ...meta } = checkpoint;
  return frameCheckpoint({
    ...meta,
    keyed: keyedStateField(keyed),
    splits: splits.map(({ split, state }) => ({ split, state })),
  });
}

/** Reads a checkpoint, checking magic, version, length and checksum; throws CheckpointError. */
export function decodeCheckpoint(file: Uint8Array): Checkpoint {
  const value = unframeCheckpoint(file);
  requireIntegers(value, [
    'chunk',
    'firstEvent',
    'outputs',
    'outputPosition',
    'expiredKeys',
    'workers',
    'partitions',
  ]);
  if (typeof value.job !== 'string') throw new CheckpointError('field job is missing');
  const keyed = keyedStateFromField(value.keyed);
  if (!Array.isArray(value.splits)) throw new CheckpointError('field splits is missing');
  const splits = value.splits.map((entry: { split?: unknown; state?: unknown }) => {
    if (!(Number.isSafeInteger(entry?.split) && entry.state instanceof Uint8Array)) {
      throw new CheckpointError('a split state is malformed');
    }
    return { split: entry.split as number, state: new Uint8Array(entry.state) };
  });
  return { ...(value as unknown as Checkpoint), keyed, splits };
}
