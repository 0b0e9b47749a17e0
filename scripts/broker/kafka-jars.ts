import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const POM = fileURLToPath(new URL('./pom.xml', import.meta.url));
/** A lock older than this was left by a process that died while downloading. */
const STALE_LOCK_MS = 10 * 60_000;

/** Where the jars are cached: per machine, so a fresh clone does not download them again. */
export function kafkaCacheRoot(): string {
  if (process.env.STATECRAFT_KAFKA_CACHE) return process.env.STATECRAFT_KAFKA_CACHE;
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'statecraft');
}

/** The Kafka version the pom asks for. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'));
  if (match === null) throw new Error(`${POM} names no <kafka.version>`);
  return match[1]!;
}

/**
 * The folder holding Apache Kafka's jars (broker, tools, dependencies), downloaded from Maven
 * Central by `mvn dependency:copy-dependencies` the first time on a machine (about 30 s) and cached,
 * keyed on the pom, so later calls return at once. Several processes may ask at once: one
 * downloads, the others wait for it.
 */
export async function kafkaJars(): Promise<string> {
  const key = createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 16);
  const root = kafkaCacheRoot();
  const jars = join(root, `kafka-${kafkaVersion()}-${key}`);
  if (existsSync(join(jars, '.complete'))) return jars;
  await mkdir(root, { recursive: true });
  const lock = `${jars}.lock`;
  await acquire(lock);
  try {
    if (existsSync(join(jars, '.complete'))) return jars;
    await requireTool('mvn', ['--version'], 'Maven');
    const staging = `${jars}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    process.stderr.write(
      `statecraft broker: downloading Apache Kafka ${kafkaVersion()} from Maven Central…\n`,
    );
    try {
      await run(
        'mvn',
        [
          '-q',
          '-B',
          '-f',
          POM,
          'dependency:copy-dependencies',
          `-DoutputDirectory=${staging}`,
          '-DincludeScope=runtime',
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
      throw new Error(`cannot download Apache Kafka with Maven (${POM}):\n${output.trim().slice(-2000)}`);
    }
    await writeFile(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    await rm(jars, { recursive: true, force: true });
    await rename(staging, jars);
    return jars;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Checks that `java` runs and is at least Java 17 (Kafka 4 needs it). */
export async function requireJava(): Promise<void> {
  const { stderr } = await requireTool('java', ['-version'], 'Java 17 or newer');
  const major = Number(/version "(\d+)/.exec(stderr)?.[1] ?? 0);
  if (major < 17) {
    throw new Error(
      `Apache Kafka 4 needs Java 17 or newer; \`java -version\` says: ${stderr.split('\n')[0]}`,
    );
  }
}

async function requireTool(command: string, args: string[], what: string) {
  try {
    return await run(command, args);
  } catch {
    throw new Error(
      `the development broker needs ${what} (\`${command}\` did not run); on Debian: apt-get install openjdk-17-jre-headless maven`,
    );
  }
}

/** A lock directory (mkdir is atomic); waits while another process holds it, breaks it when stale. */
async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(lock).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
