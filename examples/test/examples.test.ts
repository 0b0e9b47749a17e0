import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_TOPICS } from '../../scripts/broker/test-topics.js';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `node --import tsx <example>` in examples/, as a user would, and collects its output. */
function runExample(
  file: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: EXAMPLES,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  // The examples import the packages as users do, through their built `dist`.
  for (const pkg of ['engine', 'fsm', 'kafka']) {
    const entry = join(EXAMPLES, `../packages/${pkg}/dist/index.js`);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first with \`npx tsc -b\``);
  }
});

describe('examples', () => {
  it.each([
    ['custom-machine.ts', /^custom-machine: 200000 events, \d+ alerts, same on 2 workers and inline: ok$/m],
    ['custom-source.ts', /^custom-source: 15 events, 3 alerts; endless feed stopped after \d+ events: ok$/m],
    [
      'custom-operator.ts',
      /^custom-operator: 100000 events, \d+ brute-force detections, as the Map reference: ok$/m,
    ],
  ])('%s runs, and its own assertions hold', async (file, done) => {
    const result = await runExample(file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(done);
  });

  it('kafka-job.ts runs a Kafka job (state topic, alerts topic, typed alerts) against a real broker, with the alerts of a local run', async () => {
    const result = await runExample('kafka-job.ts', {
      KAFKA_BROKERS: inject('kafkaBootstrap'),
      EVENTS_TOPIC: TEST_TOPICS.exampleEvents.name,
      ALERTS_TOPIC: TEST_TOPICS.exampleAlerts.name,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^kafka-job: 200000 events from 4 partitions, [1-9]\d* alerts, as a local run: ok$/m,
    );
  });

  it('custom-machine.ts prints the machine as Mermaid first', async () => {
    const result = await runExample('custom-machine.ts');
    expect(result.stdout.startsWith('stateDiagram-v2\n  [*] --> Anonymous\n')).toBe(true);
  });
});
