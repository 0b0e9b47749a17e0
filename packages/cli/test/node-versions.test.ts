import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  BIN,
  type CliResult,
  collect,
  EXIT,
  linesOf,
  TEXT_ALERT,
  useTempDir,
} from './helpers.js';

/**
 * A run's alerts are the same bytes on Node 20 and Node 24. The suite runs on one Node; this file
 * runs the built command on the Node running the suite and on the Node 24 binary that
 * STATECRAFT_NODE24 names (`scripts/node24.sh` installs one and prints its path), and compares.
 * `.ci/run` sets it for the Node 20 run of the suite (and then runs the whole suite on Node 24).
 * Without it the comparison is skipped, and says so; under CI its absence is a failure.
 */
const NODE24 = process.env.STATECRAFT_NODE24 || undefined;
const MAJOR = Number(process.versions.node.split('.')[0]);

const STREAM = ['--events', '500000', '--seed', '11', '--error-rate', '0.004', '--quiet'];

function runOn(node: string, args: readonly string[]): Promise<CliResult> {
  const child = spawn(node, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, STATECRAFT_DEBUG: '' },
  });
  return collect(child);
}

/** Runs `args` on both Nodes; both must exit 0 with nothing on stderr (no warnings either). */
async function onBoth(args: readonly string[]): Promise<[Buffer, Buffer]> {
  const [here, there] = await Promise.all([runOn(process.execPath, args), runOn(NODE24!, args)]);
  expect(here.code, `Node ${process.version}: ${here.stderr}`).toBe(EXIT.ok);
  expect(there.code, `Node 24: ${there.stderr}`).toBe(EXIT.ok);
  expect(here.stderr, `Node ${process.version}`).toBe('');
  expect(there.stderr, 'Node 24').toBe('');
  return [here.stdout, there.stdout];
}

/** Fails at the first differing byte, showing the text around it. */
function expectSameBytes(here: Buffer, there: Buffer, label: string): void {
  if (here.equals(there)) return;
  let i = 0;
  while (i < here.length && i < there.length && here[i] === there[i]) i++;
  const around = (bytes: Buffer) => JSON.stringify(bytes.subarray(Math.max(0, i - 40), i + 40).toString());
  throw new Error(
    `${label}: Node ${process.version} and Node 24 differ at byte ${i} (${here.length} vs ${there.length} bytes): ` +
      `${around(here)} vs ${around(there)}`,
  );
}

/** Why the comparison cannot run here, if it cannot. */
const skipped =
  MAJOR === 24
    ? 'this run is on Node 24 itself: the Node 20 run compares the two'
    : NODE24 === undefined
      ? 'STATECRAFT_NODE24 is not set: STATECRAFT_NODE24="$(scripts/node24.sh)" runs it'
      : undefined;

if (skipped !== undefined && MAJOR !== 24 && process.env.CI) {
  it('under CI, STATECRAFT_NODE24 names a Node 24 binary', () => {
    throw new Error('STATECRAFT_NODE24 is not set: .ci/run sets it to the path scripts/node24.sh prints');
  });
}

describe.skipIf(skipped !== undefined)(
  `alerts on Node ${process.version} and Node 24 are byte-identical${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    const dir = useTempDir();

    beforeAll(() => {
      assertBuilt();
      const version = execFileSync(NODE24!, ['--version'], { encoding: 'utf8' }).trim();
      expect(version, `STATECRAFT_NODE24=${NODE24}`).toMatch(/^v24\./);
    });

    it.each(['text', 'csv', 'ndjson'])('run over the generator, --format %s, --workers 2', async (format) => {
      const [here, there] = await onBoth(['run', ...STREAM, '--workers', '2', '--format', format]);
      if (format === 'text') {
        const lines = linesOf(here);
        expect(lines.length).toBeGreaterThan(1000);
        for (const line of lines) expect(line).toMatch(TEXT_ALERT);
      }
      expectSameBytes(here, there, `run --format ${format}`);
    });

    it('generate (the events), then run over its gzipped CSV file with parallel sources', async () => {
      const [here, there] = await onBoth(['generate', ...STREAM, '--format', 'csv', '--out', '-']);
      expectSameBytes(here, there, 'generate --format csv');
      const gz = join(dir(), 'events.csv.gz');
      await writeFile(gz, gzipSync(here, { level: 1 }));
      const run = ['run', '--input', gz, '--workers', '2', '--source-parallelism', '2', '--quiet'];
      const [alertsHere, alertsThere] = await onBoth(run);
      expect(linesOf(alertsHere).length).toBeGreaterThan(1000);
      expectSameBytes(alertsHere, alertsThere, 'run --input events.csv.gz');
      // And the file's alerts are the generator run's: the same events either way.
      const generated = await runOn(process.execPath, ['run', ...STREAM, '--workers', '0']);
      expect(generated.code, generated.stderr).toBe(EXIT.ok);
      expect(alertsHere.equals(generated.stdout), 'run --input gives run over the generator').toBe(true);
    });
  },
);
