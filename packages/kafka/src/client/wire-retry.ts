import { KafkaError, KafkaUnreachableError } from '../errors.js';

/**
 * A failure after which the same step may succeed: the cluster out of reach for now (`unreachable`:
 * a lost connection, a broker restarting) or busy (a leader or coordinator moving, a transaction
 * still ending).
 */
export class TryAgain extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  brokers: readonly string[];
  /** How long a step is tried again, from its first failure, in ms. */
  giveUpAfterMs: number;
  /** The first pause; each next one is twice as long, up to maxPauseMs. */
  firstPauseMs: number;
  maxPauseMs: number;
  /** True once the client was disconnected: its steps are not tried again. */
  stopped?: () => boolean;
}

/**
 * Runs `step` until it resolves or throws anything but TryAgain; after a TryAgain, again after a
 * growing pause, until `giveUpAfterMs` have passed since the first: then KafkaUnreachableError if
 * the cluster was out of reach, else a KafkaError saying what stayed busy.
 */
export async function retrying<T>(what: string, policy: RetryPolicy, step: () => Promise<T>): Promise<T> {
  let since: number | undefined;
  for (let pauseMs = policy.firstPauseMs; ; pauseMs = Math.min(pauseMs * 2, policy.maxPauseMs)) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof TryAgain)) throw error;
      if (policy.stopped?.()) throw new KafkaError(`${what}: the client was disconnected`);
      since ??= Date.now();
      if (Date.now() - since >= policy.giveUpAfterMs) {
        if (error.unreachable) throw new KafkaUnreachableError(policy.brokers, `${what}: ${error.message}`);
        throw new KafkaError(`${what}: still ${error.message} after ${policy.giveUpAfterMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/**
 * Runs a request on a connection (nothing else: its answer is checked by the caller): a lost,
 * refused or garbled connection becomes TryAgain, once `lost` has forgotten it.
 */
export async function overNetwork<T>(request: () => Promise<T>, lost: () => void): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    lost();
    throw new TryAgain(error.message, true);
  }
}
