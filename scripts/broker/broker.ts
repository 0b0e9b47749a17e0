import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD_SCRIPT = fileURLToPath(new URL('./build.sh', import.meta.url));

/**
 * Builds the development broker unless it is cached (a minute or two the first time; the build's
 * progress goes to stderr); returns its path.
 */
export function brokerBinary(): Promise<string> {
  return new Promise((resolve, reject) => {
    const build = spawn(BUILD_SCRIPT, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    build.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    build.on('error', reject);
    build.on('exit', (code) => {
      if (code === 0) resolve(stdout.trim());
      else
        reject(
          new Error(`cannot build the broker: ${BUILD_SCRIPT} exited with ${code} (see its output above)`),
        );
    });
  });
}

export interface BrokerOptions {
  /** Topics to create, `name:partitions`. */
  topics: readonly string[];
  /** How long a new group's first join waits for more members (default 100 ms). */
  initialRebalanceDelayMs?: number;
  brokerCount?: number;
}

export interface RunningBroker {
  /** `127.0.0.1:PORT`, for --brokers. */
  bootstrap: string;
  /** Stops the broker (SIGTERM, then SIGKILL if it lingers) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the development broker (building it first if needed) and waits for its bootstrap address. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const binary = await brokerBinary();
  const args = options.topics.flatMap((topic) => ['--topic', topic]);
  if (options.initialRebalanceDelayMs !== undefined) {
    args.push('--initial-rebalance-delay', String(options.initialRebalanceDelayMs));
  }
  if (options.brokerCount !== undefined) args.push('--broker-count', String(options.brokerCount));
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const bootstrap = await readBootstrap(child);
  return { bootstrap, stop: () => stopChild(child) };
}

function readBootstrap(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the broker printed no BOOTSTRAP line within 10 s: ${stderr.trim()}`));
    }, 10_000);
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.stdout?.on('data', (data: Buffer) => {
      stdout += data.toString();
      const match = /^BOOTSTRAP=(\S+)$/m.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the broker exited (${signal ?? code}) before it was ready: ${stderr.trim()}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
