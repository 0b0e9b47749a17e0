import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../scripts/broker/broker.js';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { assertBuilt, collect, EXIT, runCli, startCli, stderrProblems } from './helpers.js';
import { bootstrap, closedPort, FAST, silentBroker, testClient, uniqueGroup } from './kafka-helpers.js';

beforeAll(() => {
  assertBuilt();
});

/** A failure the contract bounds: one line, exit code 1, well within the test's own timeout. */
async function failsInTime(args: string[], message: RegExp): Promise<void> {
  const result = await runCli(args, { timeoutMs: 30_000 });
  expect(result.code, result.stderr).toBe(EXIT.jobFailed);
  expect(stderrProblems(result.stderr)).toEqual([]);
  expect(result.stderr).toMatch(message);
}

describe('Kafka failures at start', () => {
  it('broker down: run and produce exit 1 with one line naming the brokers', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const message = new RegExp(`^statecraft: cannot reach Kafka at ${broker}: .*ECONNREFUSED`);
    await failsInTime(
      ['run', '--brokers', broker, '--topic', 'events', '--group', 'g', '--until-end'],
      message,
    );
    await failsInTime(['produce', '--brokers', broker, '--topic', 'events', '--events', '10'], message);
  });

  it('a broker that never answers: exit 1 once --kafka-timeout has passed', async () => {
    const { address, server } = await silentBroker();
    try {
      await failsInTime(
        ['run', '--brokers', address, '--topic', 'events', '--group', 'g', '--kafka-timeout', '1500'],
        new RegExp(
          `^statecraft: cannot reach Kafka at ${address}: no answer within 1.5 s \\(--kafka-timeout\\)\\n$`,
        ),
      );
    } finally {
      server.close();
    }
  });

  it('a missing topic (events or alerts): exit 1, and the topic is not created', async () => {
    const missing = `missing-${process.pid}-${Date.now()}`;
    const run = ['run', '--brokers', bootstrap(), '--group', 'g', '--until-end'];
    const says = new RegExp(`^statecraft: topic ${missing} does not exist on ${bootstrap()}`);
    await failsInTime([...run, '--topic', missing], says);
    await failsInTime([...run, '--topic', TEST_TOPICS.roundTrip.name, '--alerts-topic', missing], says);
    await failsInTime(['produce', '--brokers', bootstrap(), '--topic', missing, '--events', '5'], says);
  });
});

describe('Kafka failures while running', () => {
  it('the broker lost mid-run: a warning that it is lost, then exit 1 with one line saying why', async () => {
    const broker = await startBroker({ topics: ['lost:2'] });
    try {
      const produced = await runCli([
        'produce',
        '--brokers',
        broker.bootstrap,
        '--topic',
        'lost',
        '--events',
        '50000',
        '--quiet',
      ]);
      expect(produced.code, produced.stderr).toBe(EXIT.ok);
      const group = uniqueGroup('lost');
      const child = startCli([
        'run',
        '--brokers',
        broker.bootstrap,
        '--topic',
        'lost',
        '--group',
        group,
        ...FAST,
        ...['--progress-interval', '0', '--kafka-reconnect-timeout', '3000'],
      ]);
      const done = collect(child, { timeoutMs: 40_000 });
      // Stop the broker once the run has committed something: it is surely running by then.
      const admin = testClient(broker.bootstrap).admin();
      await admin.connect();
      while (child.exitCode === null && !(await admin.committedOffsets(group, 'lost')).some((o) => o > 0)) {
        await sleep(50);
      }
      await admin.disconnect();
      // Lost for good: killed, never restarted (the run rides it out for 3 s, then gives up).
      await broker.kill();
      const result = await done;
      expect(result.code, result.stderr).toBe(EXIT.jobFailed);
      // At most the warning that the cluster is lost, then one line: why the run gave up, from
      // whichever request noticed first (the consumer, Statecraft's own fetch loop, or a commit).
      const warning = /^statecraft: warning: lost Kafka at 127\.0\.0\.1:\d+; reconnecting for up to 3 s\n/;
      const reason = result.stderr.replace(warning, '');
      expect(stderrProblems(reason), result.stderr).toEqual([]);
      expect(reason).toMatch(
        /^statecraft: (cannot reach Kafka at 127\.0\.0\.1:\d+|consumer of group lost-\S+ failed|cannot fetch topic lost for \d+ s): /,
      );
    } finally {
      await broker.stop();
    }
  });
});

describe('Kafka flags', () => {
  it.each([
    [['run', '--until-end'], /^statecraft: reading Kafka needs --brokers \(see --help\)$/],
    [['run', '--brokers', 'h:1', '--topic', 't'], /needs --group/],
    [['run', '--brokers', 'no-port', '--topic', 't', '--group', 'g'], /--brokers must be host:port/],
    [['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--input', 'x.csv'], /two sources/],
    [
      ['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--kafka-session-timeout', '5'],
      /--kafka-session-timeout must be an integer in 1000\.\./,
    ],
    [
      ['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--alerts-topic', 't'],
      /must not be the events topic/,
    ],
    [
      ['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--checkpoint-dir', 'c', '--resume'],
      /--resume is for file and generator runs: a Kafka run always takes its partitions over/,
    ],
    [
      ['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--state-ttl', '10s'],
      /--state-ttl is not supported with --brokers/,
    ],
    [
      ['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--checkpoint-interval', '5s'],
      /--checkpoint-interval needs --state-topic or --checkpoint-dir/,
    ],
    [
      [
        'run',
        '--brokers',
        'h:1',
        '--topic',
        't',
        '--group',
        'g',
        '--checkpoint-dir',
        'c',
        '--checkpoint-interval',
        'soon',
      ],
      /--checkpoint-interval must be a number of events or a duration/,
    ],
    [
      ['run', '--brokers', 'h:1', '--topic', 't', '--group', 'g', '--kafka-fetch-bytes', '10'],
      /--kafka-fetch-bytes must be an integer in 1024\.\./,
    ],
    [['produce', '--brokers', 'h:1', '--events', '5'], /produce needs --topic/],
    [['produce', '--brokers', 'h:1', '--topic', 't', '--events', '5', '--rate', '0'], /--rate must be/],
  ])('%j is a usage error (exit 2, one line)', async (args, message) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr.trim()).toMatch(message);
  });
});
