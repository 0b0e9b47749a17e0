import {
  CheckpointError,
  frameCheckpoint,
  type KeyedState,
  keyedStateField,
  keyedStateFromField,
  requireIntegers,
  unframeCheckpoint,
} from '@statecraft/engine';

const KIND = 'kafka-partition';

/**
 * One Kafka partition's share of a job, as of an offset: the state of the partition's addresses
 * after every record before `offset`, and how far the partition's alert file was written then.
 * Whichever process is assigned the partition next restores it and reads on from `offset`.
 */
export interface PartitionCheckpoint {
  /** The job's identity (topic, group, machine, formats): a checkpoint of another job is refused. */
  job: string;
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: number;
  /** Events and alerts of the partition before `offset`, over every process that read it. */
  events: number;
  alerts: number;
  /** Bytes of the partition's alert file (--output-dir) after those alerts; -1 without one. */
  outputPosition: number;
  createdAt: string;
  /** The host and process that wrote it. */
  writer: string;
  keyed: KeyedState;
}

export function encodePartitionCheckpoint(checkpoint: PartitionCheckpoint): Uint8Array {
  const { keyed, ...meta } = checkpoint;
  return frameCheckpoint({ kind: KIND, ...meta, keyed: keyedStateField(keyed) });
}

/** Reads a partition checkpoint; throws CheckpointError when the bytes are not a valid one. */
export function decodePartitionCheckpoint(file: Uint8Array): PartitionCheckpoint {
  const record = unframeCheckpoint(file);
  if (record.kind !== KIND) throw new CheckpointError('not a Kafka partition checkpoint');
  requireIntegers(record, ['partition', 'offset', 'events', 'alerts', 'outputPosition']);
  for (const field of ['job', 'topic', 'createdAt', 'writer']) {
    if (typeof record[field] !== 'string') throw new CheckpointError(`field ${field} is missing`);
  }
  const { kind: _kind, ...meta } = record;
  return { ...(meta as unknown as PartitionCheckpoint), keyed: keyedStateFromField(record.keyed) };
}
