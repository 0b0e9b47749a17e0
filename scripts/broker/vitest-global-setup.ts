import type { TestProject } from 'vitest/node';
import { startBroker } from './broker.js';
import { testTopicSpecs } from './test-topics.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test broker's bootstrap address, `127.0.0.1:PORT`. */
    kafkaBootstrap: string;
  }
}

/** Builds the development broker if needed, starts it with the test topics, and stops it after the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await startBroker({ topics: testTopicSpecs() });
  project.provide('kafkaBootstrap', broker.bootstrap);
  return () => broker.stop();
}
