import { KafkaError, KafkaUnreachableError } from '../errors.js';
import { type BrokerAddress, BrokerConnection } from './broker-connection.js';
import { type ClusterMetadata, fetchMetadata } from './metadata.js';

export interface BrokerPoolOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  /** Bound on opening a connection (and on trying the bootstrap brokers), in ms. */
  timeoutMs: number;
}

/**
 * The connections of one client: one to a bootstrap broker (for metadata) and one per broker the
 * metadata names, opened on first use and replaced once they are lost.
 */
export class BrokerPool {
  private bootstrap: BrokerConnection | undefined;
  private brokers = new Map<number, BrokerAddress>();
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  /** Bumped by close(): a connection still opening then is closed as soon as it opens. */
  private closes = 0;

  constructor(readonly options: BrokerPoolOptions) {}

  /** Metadata of the topics, through a bootstrap broker; it also tells the pool where brokers are. */
  async metadata(topics: readonly string[]): Promise<ClusterMetadata> {
    try {
      const metadata = await fetchMetadata(await this.bootstrapConnection(), topics);
      this.brokers = metadata.brokers;
      return metadata;
    } catch (error) {
      this.bootstrap?.close();
      this.bootstrap = undefined;
      throw error;
    }
  }

  /** A connection to broker `node` (as the last metadata named it). */
  async connection(node: number): Promise<BrokerConnection> {
    const open = this.connections.get(node);
    if (open) {
      const connection = await open;
      if (!connection.closed) return connection;
      this.connections.delete(node);
    }
    const address = this.brokers.get(node);
    if (address === undefined) throw new KafkaError(`broker ${node} is not in the metadata`);
    const opening = this.unlessClosedMeanwhile(
      BrokerConnection.open(address, this.options.clientId, this.options.timeoutMs),
    );
    this.connections.set(node, opening);
    opening.catch(() => this.connections.delete(node));
    return opening;
  }

  /** Records where broker `node` is (a coordinator lookup names brokers too). */
  learn(node: number, address: BrokerAddress): void {
    this.brokers.set(node, address);
  }

  /** Closes broker `node`'s connection (it failed): the next use opens a new one. */
  forget(node: number): void {
    const open = this.connections.get(node);
    this.connections.delete(node);
    open?.then(
      (connection) => connection.close(),
      () => undefined,
    );
    if (this.bootstrap?.closed) this.bootstrap = undefined;
  }

  /**
   * A connection to any bootstrap broker that answers: each is tried in turn, four rounds within
   * at most `timeoutMs` (a refused connection fails in about a second).
   */
  async bootstrapConnection(): Promise<BrokerConnection> {
    if (this.bootstrap && !this.bootstrap.closed) return this.bootstrap;
    const { brokers, clientId, timeoutMs } = this.options;
    const deadline = Date.now() + timeoutMs;
    let reason = 'no broker given';
    for (let attempt = 0; attempt < 4 && Date.now() < deadline; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 150 * 2 ** attempt));
      for (const broker of brokers) {
        try {
          this.bootstrap = await this.unlessClosedMeanwhile(
            BrokerConnection.open(parseBroker(broker), clientId, Math.max(100, deadline - Date.now())),
          );
          return this.bootstrap;
        } catch (error) {
          reason = (error as Error).message;
        }
      }
    }
    throw new KafkaUnreachableError(brokers, reason);
  }

  /** The connection, unless the pool was closed while it opened: then it is closed too, not leaked. */
  private async unlessClosedMeanwhile(opening: Promise<BrokerConnection>): Promise<BrokerConnection> {
    const closes = this.closes;
    const connection = await opening;
    if (this.closes === closes) return connection;
    connection.close();
    throw new KafkaError(`connection to ${connection.name} opened after its client was closed`);
  }

  async close(): Promise<void> {
    this.closes++;
    this.bootstrap?.close();
    this.bootstrap = undefined;
    const open = [...this.connections.values()];
    this.connections.clear();
    for (const connection of open) {
      await connection.then(
        (ready) => ready.close(),
        () => undefined,
      );
    }
  }
}

function parseBroker(broker: string): BrokerAddress {
  const at = broker.lastIndexOf(':');
  return { host: broker.slice(0, at), port: Number(broker.slice(at + 1)) };
}
