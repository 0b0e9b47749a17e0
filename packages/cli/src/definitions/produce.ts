import type { Argv } from 'yargs';
import { kafkaClientOptions } from '../kafka/kafka-options.js';
import { generatorOptions } from './generator-options.js';

/** `statecraft produce`'s flags. */
export const produceOptions = {
  ...generatorOptions,
  events: { ...generatorOptions.events, demandOption: 'give --events N' },
  ...kafkaClientOptions,
  rate: {
    type: 'number',
    describe: 'at most this many events per second (default: as fast as possible)',
  },
  'kafka-batch-bytes': {
    type: 'number',
    describe: "largest record batch in bytes (default 1000000, under the broker's 1 MiB message.max.bytes)",
  },
} as const;

/** Registers `statecraft produce`, loading the Kafka client only when it runs. */
export function defineProduce(y: Argv, done: (exitCode: number) => void): Argv {
  return y.command(
    'produce',
    "write the generator's event stream into a Kafka topic, keyed by address",
    (c) => c.options(produceOptions),
    async (args) => {
      const { produceCommand } = await import('../commands/produce.js');
      done(
        await produceCommand({
          ...args,
          errorRate: args['error-rate'],
          generatorSplits: args['generator-splits'],
          kafkaFormat: args['kafka-format'],
          kafkaTimeout: args['kafka-timeout'],
          kafkaClientId: args['kafka-client-id'],
          kafkaBatchBytes: args['kafka-batch-bytes'],
        }),
      );
    },
  );
}
