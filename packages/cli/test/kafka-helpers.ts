import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { decodePartitionCheckpoint, type PartitionCheckpoint } from '@statecraft/kafka';
import { expect } from 'vitest';
import { readWholePartition } from '../../kafka/src/wire/partition-reader.js';
import { bootstrap } from '../../kafka/test/helpers.js';
import { EXIT, type ParsedAlert, parseAlerts, runCli } from './helpers.js';

export {
  bootstrap,
  byPartition,
  closedPort,
  produceRaw,
  type RawRecord,
  readRaw,
  testClient,
  uniqueGroup,
} from '../../kafka/test/helpers.js';

/** Group settings that make rebalances quick on the test broker (kafka.md). */
export const FAST = ['--kafka-session-timeout', '6000'];

/** A "broker" that accepts connections and never answers: start-up must give up on its own. */
export async function silentBroker(): Promise<{ address: string; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, server };
}

/**
 * Every checkpoint in a state topic's partitions now (compaction never runs within a test), read
 * with Statecraft's own fetch: fast enough to poll.
 */
export async function stateCheckpoints(
  stateTopic: string,
  partitions: number,
): Promise<PartitionCheckpoint[]> {
  const options = { brokers: [bootstrap()], clientId: 'state-topic-test', timeoutMs: 5000 };
  const found: PartitionCheckpoint[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const runs = await readWholePartition(options, stateTopic, partition).catch(() => []);
    for (const run of runs) {
      for (let i = 0; i < run.count; i++) {
        found.push(decodePartitionCheckpoint(run.values.subarray(run.valueStarts[i], run.valueEnds[i])));
      }
    }
  }
  return found;
}

/** The offset of the newest committed record of a state topic's partition; undefined when none. */
export async function newestStateRecord(stateTopic: string, partition: number): Promise<number | undefined> {
  const options = { brokers: [bootstrap()], clientId: 'state-topic-test', timeoutMs: 5000 };
  const runs = await readWholePartition(options, stateTopic, partition).catch(() => []);
  const offsets = runs.flatMap((run) => [...run.offsets.subarray(0, run.count)]);
  return offsets.length === 0 ? undefined : Number(offsets[offsets.length - 1]);
}

/** Text alerts as sorted lines: the multiset of a run's alerts. */
export function multiset(text: string | Buffer): string[] {
  return parseAlerts(text, 'text')
    .map(({ address, state, event }) => `${address} ${state} ${event}`)
    .sort();
}

/** Each address's alerts, in output order. */
export function perAddress(alerts: readonly ParsedAlert[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { address, state, event } of alerts) {
    const list = map.get(address) ?? [];
    list.push(`${state} -> ${event}`);
    map.set(address, list);
  }
  return map;
}

/**
 * The reference a Kafka run is held to: `generate` writes the stream that `produce` sends with the
 * same flags into `dir/events.csv`, and a file run over it gives these alerts (text).
 */
export async function fileRunAlerts(dir: string, stream: readonly string[]): Promise<string> {
  const events = join(dir, 'events.csv');
  const generated = await runCli(['generate', ...stream, '--out', events]);
  expect(generated.code, generated.stderr).toBe(EXIT.ok);
  const fromFile = await runCli(['run', '--input', events, '--quiet']);
  expect(fromFile.code, fromFile.stderr).toBe(EXIT.ok);
  return fromFile.stdout.toString();
}
