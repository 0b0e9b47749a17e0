import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kafkaJars, requireJava } from './kafka-jars.js';
import { parseTopicSpec, prepareBroker, type TopicSpec } from './topics.js';

const LOG4J_CONFIG = fileURLToPath(new URL('./log4j2.properties', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface BrokerOptions {
  /** Topics to create once the broker is up, `name:partitions` (or as objects). */
  topics?: readonly (string | TopicSpec)[];
  /** How long a new classic group's first join waits for more members (default 0 ms). */
  initialRebalanceDelayMs?: number;
  /** Where the broker keeps its data; default a new temporary folder, removed by `stop()`. */
  dataDir?: string;
  /** The client port (default: a free one). */
  port?: number;
  /** Largest JVM heap, in MiB (default 768). */
  heapMb?: number;
  /** Further `server.properties` entries. */
  config?: Readonly<Record<string, string | number>>;
}

export interface RunningBroker {
  /** `127.0.0.1:PORT`, for --brokers. */
  readonly bootstrap: string;
  readonly dataDir: string;
  /** The broker's JVM process id (changes on `restart`). */
  readonly pid: number;
  /** The broker's log file (log4j, in its data folder). */
  readonly logFile: string;
  /** Stops the broker (SIGTERM, a controlled shutdown; SIGKILL if it lingers) and removes its data folder if it made it. */
  stop(): Promise<void>;
  /** Kills the broker with SIGKILL and keeps its data, as a crash would. */
  kill(): Promise<void>;
  /** Starts the broker again on the same data and ports (after `kill`), and waits until it serves. */
  restart(): Promise<void>;
}

/**
 * Starts a single-node Apache Kafka (KRaft: broker and controller in one JVM) on 127.0.0.1, free
 * ports and a data folder of its own; resolves once it serves requests and the topics exist.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  await requireJava();
  const jars = await kafkaJars();
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'statecraft-kafka-')));
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const controllerPort = await freePort();
  const propertiesFile = join(dataDir, 'server.properties');
  const logFile = join(dataDir, 'server.log');
  await writeFile(propertiesFile, serverProperties(dataDir, port, controllerPort, options));
  const classpath = `${jars}/*`;
  if (!existsSync(join(dataDir, 'kraft-logs', 'meta.properties'))) {
    await java(classpath, logFile, [
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      propertiesFile,
    ]);
  }
  const bootstrap = `127.0.0.1:${port}`;
  const heap = options.heapMb ?? 768;
  const launch = (): ChildProcess =>
    spawn(
      'java',
      [
        `-Xmx${heap}m`,
        '-Xms128m',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
        `-Dstatecraft.broker.log=${logFile}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        propertiesFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );

  let child = launch();
  let watchdog = guard(child);
  await waitReady(child, port, logFile);
  const specs = (options.topics ?? []).map((topic) =>
    typeof topic === 'string' ? parseTopicSpec(topic) : topic,
  );
  try {
    await prepareBroker(bootstrap, specs);
  } catch (error) {
    await kill(child);
    throw error;
  }

  return {
    bootstrap,
    dataDir,
    logFile,
    get pid() {
      return child.pid ?? -1;
    },
    async stop() {
      await terminate(child);
      watchdog.kill('SIGKILL');
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
    async kill() {
      await kill(child);
      watchdog.kill('SIGKILL');
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) await kill(child);
      watchdog.kill('SIGKILL');
      child = launch();
      watchdog = guard(child);
      await waitReady(child, port, logFile);
      await prepareBroker(bootstrap, []);
    },
  };
}

function serverProperties(
  dataDir: string,
  port: number,
  controllerPort: number,
  options: BrokerOptions,
): string {
  const properties: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(dataDir, 'kraft-logs'),
    // One node: no replicas anywhere, or the internal topics (and transactions) wait forever.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': options.initialRebalanceDelayMs ?? 0,
    'auto.create.topics.enable': 'false',
    'num.partitions': 1,
    // A test's group should notice a killed member within seconds, not the default 45.
    'group.consumer.min.session.timeout.ms': 1000,
    'group.classic.min.session.timeout.ms': 1000,
    'group.min.session.timeout.ms': 1000,
    ...options.config,
  };
  return `${Object.entries(properties)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n')}\n`;
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 characters), not
 * starting with '-' (StorageTool's argument parser would take it for an option).
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function java(classpath: string, logFile: string, args: string[]): Promise<void> {
  try {
    await promisify(execFile)(
      'java',
      [
        `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
        `-Dstatecraft.broker.log=${logFile}`,
        '-cp',
        classpath,
        ...args,
      ],
      { maxBuffer: 8 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`${args[0]} failed: ${stderr.trim().slice(-1500)}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

/** Waits until the broker accepts connections on its port, or fails with the end of its log. */
async function waitReady(child: ChildProcess, port: number, logFile: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the Kafka broker exited (${child.signalCode ?? child.exitCode}) before it was ready: ${stderr.trim()}\n${await logTail(logFile)}`,
      );
    }
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await kill(child);
  throw new Error(
    `the Kafka broker did not accept connections on port ${port} within ${READY_TIMEOUT_MS / 1000} s\n${await logTail(logFile)}`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lines = text.trim().split('\n');
  return `last lines of ${logFile}:\n${lines.slice(-15).join('\n')}`;
}

/**
 * A shell that kills the broker if this process dies first (a crashed test runner must not leave
 * a JVM behind); it exits by itself once the broker does.
 */
function guard(child: ChildProcess): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null; exit 0`;
  const watchdog = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  watchdog.unref();
  return watchdog;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function kill(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill('SIGKILL');
  await done;
}

async function terminate(child: ChildProcess): Promise<void> {
  const done = exited(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.kill('SIGTERM');
  await done;
  clearTimeout(timer);
}
