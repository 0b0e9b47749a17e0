import { generateChunks } from '@statecraft/fsm';
import { ColumnarProducer, produceEvents, Resources, StartUp } from '@statecraft/kafka';
import { usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { brokerList, clientId, kafkaFormat, kafkaTimeoutMs, requiredFlag } from '../kafka/kafka-flags.js';
import { ProgressLine } from '../kafka/progress-line.js';
import { resolveMachine } from '../machine-flag.js';
import { generatorFlags, integerFlag } from '../options.js';
import { count } from '../status/format.js';

export interface ProduceArgs {
  brokers?: string;
  topic?: string;
  events: number;
  errorRate: number;
  seed: number;
  machine: string;
  generatorSplits: number;
  rate?: number;
  kafkaFormat?: string;
  kafkaTimeout?: number;
  kafkaClientId?: string;
  kafkaBatchBytes?: number;
  quiet: boolean;
}

/**
 * `statecraft produce`: the generator's event stream (exactly what `statecraft generate` writes
 * with the same flags) into a topic, one record per event keyed by its address, in stream order.
 * SIGINT or SIGTERM stops it after the send in flight (exit 130).
 */
export async function produceCommand(args: ProduceArgs): Promise<number> {
  const brokers = brokerList(requiredFlag('brokers', args.brokers, 'produce'));
  const topic = requiredFlag('topic', args.topic, 'produce');
  const events = integerFlag('events', args.events, 0);
  if (args.rate !== undefined && !(Number.isFinite(args.rate) && args.rate > 0)) {
    throw usageError(`--rate must be a number of events per second > 0, got ${args.rate}`);
  }
  const format = kafkaFormat(args.kafkaFormat);
  const timeoutMs = kafkaTimeoutMs(args.kafkaTimeout);
  const machine = await resolveMachine(args.machine);
  const chunks = generateChunks({
    machine,
    events,
    ...generatorFlags(args),
  });

  const maxBatchBytes = integerFlag('kafka-batch-bytes', args.kafkaBatchBytes ?? 1_000_000, 256, 1 << 30);
  const producer = new ColumnarProducer({
    brokers,
    clientId: clientId(args.kafkaClientId),
    timeoutMs,
    maxBatchBytes,
  });
  const resources = new Resources();
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    resources.add(() => producer.disconnect());
    const partitions = await new StartUp(brokers, timeoutMs, '--kafka-timeout').run(
      (async () => {
        await producer.connect();
        return producer.partitionCount(topic);
      })(),
    );
    const progress = new ProgressLine(args.quiet, events);
    const started = performance.now();
    const result = await produceEvents(chunks, {
      producer,
      topic,
      format,
      eventNames: machine.eventNames,
      ...(args.rate === undefined ? {} : { rate: args.rate }),
      onProgress: (produced) => progress.update(produced),
      signal: abort.signal,
    });
    const seconds = (performance.now() - started) / 1000;
    const perSecond = seconds > 0 ? Math.round(result.events / seconds) : 0;
    progress.done(
      `${result.interrupted ? 'interrupted: ' : ''}produced ${count(result.events)} events into ` +
        `topic ${topic} (${partitions} partitions, ${format}) in ${seconds.toFixed(2)} s ` +
        `(${count(perSecond)} events/s)`,
    );
    return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await resources.closeAll();
  }
}
