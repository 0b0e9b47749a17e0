import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTempDir as useNamedTempDir } from '../../engine/test/helpers.js';

/** The repository root (/work/main), found from this file's place in packages/cli/test. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The built command, as `pnpm statecraft` and the package's `statecraft` bin run it: the bundle. */
export const BIN = join(ROOT, 'packages/cli/dist/bundle/bin.js');
/** The same command unbundled, as `tsc -b` compiles it (the module graph the bundle is made from). */
export const UNBUNDLED_BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** Exit codes from DESIGN.md's command line contract. */
export const EXIT = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  badRecord: 65,
  noInput: 66,
  cannotWrite: 73,
  interrupted: 130,
} as const;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface CliOptions {
  /** Bytes written to the child's stdin, which is then closed (stdin is closed empty otherwise). */
  stdin?: Buffer | string;
  /** The child is killed (SIGKILL) and the promise rejected after this long. */
  timeoutMs?: number;
  cwd?: string;
}

/** Fails early, with a clear message, when the command has not been built (`pnpm build`). */
export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first with \`pnpm build\``);
}

/**
 * The built command behind a test-only entry that kills worker threads mid-run: its first argument
 * says which and when (`1@50000,0@20000`, see the file's header), the rest are statecraft's.
 */
export const BIN_WITH_WORKER_DEATHS = join(ROOT, 'packages/cli/test/support/cli-with-worker-deaths.mjs');

/** Starts `node packages/cli/dist/bundle/bin.js ...args` with piped stdio (and `env` added to the environment). */
export function startCli(
  args: readonly string[],
  cwd = ROOT,
  env: Record<string, string> = {},
): ChildProcess {
  return startNode([BIN, ...args], cwd, env);
}

/** Starts the command as startCli does, with worker threads killed as `deaths` says (`1@50000,0@20000`). */
export function startCliWithWorkerDeaths(args: readonly string[], deaths: string, cwd = ROOT): ChildProcess {
  return startNode([BIN_WITH_WORKER_DEATHS, deaths, ...args], cwd, {});
}

function startNode(argv: readonly string[], cwd: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, argv, {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, STATECRAFT_DEBUG: '', ...env },
  });
}

/** Runs the command to completion and collects its exit status, stdout (bytes) and stderr (text). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, options.cwd);
  return collect(child, options);
}

/** Waits for a started child, collecting its output; kills it after the timeout. */
export function collect(child: ChildProcess, options: CliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 50_000;
  return new Promise<CliResult>((resolvePromise, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`statecraft did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (child.stdin) {
      // The child may exit before reading its stdin (a usage error): ignore EPIPE there.
      child.stdin.on('error', () => undefined);
      if (options.stdin !== undefined) child.stdin.end(options.stdin);
      else child.stdin.end();
    }
  });
}

/**
 * A temporary directory (statecraft-cli-test-…) for the calling test file: made in a beforeAll,
 * removed in an afterAll; the returned function gives its path. See the engine's useTempDir.
 */
export function useTempDir(): () => string {
  return useNamedTempDir('cli-test');
}

/** Lines of a text output (without the final empty string after the last newline). */
export function linesOf(text: string | Buffer): string[] {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export const TEXT_ALERT = /^ALERT \d+\.\d+\.\d+\.\d+ : \w+ -> [a-g]$/;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True when `address` is a dotted IPv4 address with octets 0..255. */
export function isDottedIpv4(address: unknown): boolean {
  if (typeof address !== 'string') return false;
  const m = DOTTED.exec(address);
  if (m === null) return false;
  return m.slice(1).every((octet) => Number(octet) <= 255);
}

export interface ParsedAlert {
  address: string;
  state: string;
  event: string;
}

/** Parses alerts in any of the three formats, checking every line is well-formed. */
export function parseAlerts(output: string | Buffer, format: 'text' | 'csv' | 'ndjson'): ParsedAlert[] {
  const lines = linesOf(output);
  if (format === 'csv') {
    if (lines[0] !== 'address,state,event') throw new Error(`csv output starts with ${lines[0]}`);
    return lines.slice(1).map((line) => {
      const fields = line.split(',');
      if (fields.length !== 3 || !isDottedIpv4(fields[0]) || !/^\w+$/.test(fields[1]!)) {
        throw new Error(`bad csv alert: ${line}`);
      }
      return { address: fields[0]!, state: fields[1]!, event: fields[2]! };
    });
  }
  if (format === 'ndjson') {
    return lines.map((line) => {
      const value = JSON.parse(line) as Record<string, unknown>;
      const { address, state, event } = value;
      if (!isDottedIpv4(address) || typeof state !== 'string' || typeof event !== 'string') {
        throw new Error(`bad ndjson alert: ${line}`);
      }
      return { address: address as string, state, event };
    });
  }
  return lines.map((line) => {
    if (!TEXT_ALERT.test(line)) throw new Error(`bad text alert: ${line}`);
    const m = /^ALERT (\S+) : (\w+) -> (\w+)$/.exec(line)!;
    if (!isDottedIpv4(m[1])) throw new Error(`bad address in ${line}`);
    return { address: m[1]!, state: m[2]!, event: m[3]! };
  });
}

/** Asserts the usage contract for failures: exactly one stderr line, prefixed, no stack trace. */
export function stderrProblems(stderr: string): string[] {
  const problems: string[] = [];
  const lines = linesOf(stderr);
  if (lines.length !== 1) problems.push(`expected exactly one stderr line, got ${lines.length}`);
  if (!stderr.endsWith('\n')) problems.push('stderr does not end with a newline');
  if (!lines.every((line) => !/^\s+at /.test(line))) problems.push('stderr has a stack trace');
  if (!(lines[0] ?? '').startsWith('statecraft: '))
    problems.push('stderr does not start with "statecraft: "');
  return problems;
}

/** Numbers in the summary line: `done: 1,000 events, 57 alerts, 0 rejected ...`. */
export function parseSummary(
  stderr: string,
): { status: string; events: number; alerts: number; rejected: number } | undefined {
  const m = /^(done|interrupted): ([\d,]+) events, ([\d,]+) alerts, ([\d,]+) rejected /m.exec(stderr);
  if (m === null) return undefined;
  const n = (s: string) => Number(s.replaceAll(',', ''));
  return { status: m[1]!, events: n(m[2]!), alerts: n(m[3]!), rejected: n(m[4]!) };
}
