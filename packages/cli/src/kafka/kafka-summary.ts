import type { PartitionStats } from '@statecraft/kafka';
import { count } from '../status/format.js';

/** The Kafka part of a run's statistics (`--stats` writes it under `kafka`). */
export interface KafkaRunStats {
  topic: string;
  group: string;
  /** The partitions this process read, with their records and events. */
  partitions: PartitionStats[];
  /** With --until-end: the group's committed offsets reached the end offsets on every partition. */
  reachedEnd: boolean;
}

/** A line under the run summary: which partitions of which topic this process read. */
export function formatKafkaSummary(stats: KafkaRunStats): string {
  const partitions =
    stats.partitions.length === 0
      ? 'no records'
      : stats.partitions.map(({ partition, events }) => `${partition} (${count(events)} events)`).join(', ');
  const end = stats.reachedEnd ? '; the group reached the end offsets' : '';
  return `  kafka: topic ${stats.topic}, group ${stats.group}, partitions read: ${partitions}${end}\n`;
}
