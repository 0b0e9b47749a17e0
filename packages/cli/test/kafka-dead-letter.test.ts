import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { flinkRecord } from '../../kafka/test/helpers.js';
import { assertBuilt, EXIT, linesOf, parseSummary, runCli, useTempDir } from './helpers.js';
import { bootstrap, FAST, produceRaw, uniqueGroup } from './kafka-helpers.js';

const TOPIC = TEST_TOPICS.deadLetters.name;
const dir = useTempDir();

beforeAll(async () => {
  assertBuilt();
  // Partition 0: good events around an unknown type (9) and a 3-byte value; partition 1: good only.
  await produceRaw(TOPIC, [
    { partition: 0, value: flinkRecord(0x0a000001, 0) },
    { partition: 0, value: flinkRecord(0x0a000001, 9) },
    { partition: 0, value: flinkRecord(0x0a000001, 2) },
    { partition: 0, value: Buffer.from([1, 2, 3]) },
    { partition: 0, value: flinkRecord(0x0a000002, 3) },
    { partition: 1, value: flinkRecord(0x0a000003, 1) },
  ]);
});

describe('run --brokers --dead-letter', () => {
  it('keeps each record that is not an event with its partition, offset and reason, and processes the events around it', async () => {
    const deadLetter = join(dir(), 'rejected.ndjson');
    const result = await runCli([
      ...[
        'run',
        '--brokers',
        bootstrap(),
        '--topic',
        TOPIC,
        '--group',
        uniqueGroup('dead-letter'),
        '--until-end',
      ],
      ...[...FAST, '--dead-letter', deadLetter],
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const summary = parseSummary(result.stderr);
    expect(summary?.events).toBe(4);
    expect(summary?.rejected).toBe(2);
    // 10.0.0.1: a (Initial -> W) then c: invalid in W; 10.0.0.2 starts with d; 10.0.0.3 with b.
    expect(linesOf(result.stdout).sort()).toEqual(
      ['ALERT 10.0.0.1 : W -> c', 'ALERT 10.0.0.2 : Initial -> d', 'ALERT 10.0.0.3 : Initial -> b'].sort(),
    );
    const rejected = linesOf(await readFile(deadLetter, 'utf8')).map((line) => JSON.parse(line));
    expect(rejected).toEqual([
      {
        input: `kafka:${TOPIC}`,
        partition: 0,
        offset: 1,
        reason: 'unknown-event',
        record: '0100000a09000000',
      },
      { input: `kafka:${TOPIC}`, partition: 0, offset: 3, reason: 'truncated-record', record: '010203' },
    ]);
  });

  it('with --strict stops at the first, naming its partition and offset (exit 65), and keeps it', async () => {
    const deadLetter = join(dir(), 'strict.ndjson');
    const result = await runCli([
      ...['run', '--brokers', bootstrap(), '--topic', TOPIC, '--group', uniqueGroup('strict'), '--until-end'],
      ...[...FAST, '--strict', '--dead-letter', deadLetter],
    ]);
    expect(result.code, result.stderr).toBe(EXIT.badRecord);
    expect(result.stderr).toMatch(
      new RegExp(`^statecraft: topic ${TOPIC} partition 0 offset 1: unknown event type\\n$`),
    );
    const rejected = linesOf(await readFile(deadLetter, 'utf8')).map((line) => JSON.parse(line));
    expect(rejected[0]).toMatchObject({ partition: 0, offset: 1, reason: 'unknown-event' });
  });
});
