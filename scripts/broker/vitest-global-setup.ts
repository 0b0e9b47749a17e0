import type { TestProject } from 'vitest/node';
import { type RunningBroker, startBroker } from './broker.js';
import { testTopicSpecs } from './test-topics.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test broker's bootstrap address, `127.0.0.1:PORT`. */
    kafkaBootstrap: string;
  }
}

interface SharedBroker {
  broker: Promise<RunningBroker>;
  users: number;
}

/** One broker for every test project of this vitest process (each project runs this setup). */
const SHARED = Symbol.for('statecraft.test-broker');
const shared = globalThis as { [SHARED]?: SharedBroker };

/** Starts the test broker (Apache Kafka, downloaded once per machine) with the test topics; stops it after the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const entry = shared[SHARED] ?? { broker: startBroker({ topics: testTopicSpecs() }), users: 0 };
  shared[SHARED] = entry;
  entry.users++;
  const broker = await entry.broker;
  project.provide('kafkaBootstrap', broker.bootstrap);
  return async () => {
    if (--entry.users > 0) return;
    delete shared[SHARED];
    await broker.stop();
  };
}
