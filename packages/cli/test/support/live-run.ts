import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCli } from '../helpers.js';

/** Polls `check` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 40_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Collects a child's stdout and stderr as text while it runs. */
export function watch(child: ChildProcess): {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Starts `statecraft run` over stdin on two workers, serving metrics on a free port and printing no
 * progress lines, and watches its output.
 */
export function startMetricsRun(): { child: ChildProcess; run: ReturnType<typeof watch> } {
  const child = startCli([
    'run',
    '--input',
    '-',
    '--workers',
    '2',
    '--metrics-port',
    '0',
    '--progress-interval',
    '0',
  ]);
  return { child, run: watch(child) };
}

/**
 * Round `round` of a live input: `pairs` addresses of 10.<round>.x.y, each sent `a` then `c`, so
 * each gives one alert (`W -> c`). Rounds never share addresses.
 */
export function alertRound(round: number, pairs: number): string {
  let text = '';
  for (let i = 0; i < pairs; i++) {
    const address = `10.${round}.${(i >> 8) & 255}.${i & 255}`;
    text += `${address},a\n${address},c\n`;
  }
  return text;
}

/** The address the command prints for --metrics-port (`metrics on http://127.0.0.1:PORT/metrics`). */
export function metricsBase(stderr: string): string | undefined {
  return /metrics on (http:\/\/[^\s]+)\/metrics/.exec(stderr)?.[1];
}

/** Samples of a Prometheus text exposition: `name{labels}` → value (labels as written). */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

/** `# TYPE name kind` lines: name → kind. */
export function prometheusTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  return types;
}
