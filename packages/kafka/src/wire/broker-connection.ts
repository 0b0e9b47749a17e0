import { Socket } from 'node:net';
import { KafkaError } from '../errors.js';
import { ProtocolReader } from './protocol-reader.js';
import { ProtocolWriter } from './protocol-writer.js';

/** A broker's address as the cluster advertises it. */
export interface BrokerAddress {
  host: string;
  port: number;
}

interface Pending {
  resolve(body: ProtocolReader): void;
  reject(error: Error): void;
  what: string;
  timer: NodeJS.Timeout;
}

/**
 * How long a request may wait for its answer by default: a broker that stops answering without
 * closing the connection (stopped, a long pause, a network cut) must not stall its caller for
 * ever. Past it the connection is closed, failing every request on it, and the callers' retries
 * take over with a new one.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 45_000;

/**
 * One TCP connection to a broker, speaking flexible request versions only (request header v2,
 * response header v1): requests are pipelined, responses matched by correlation id. A lost
 * connection fails every request in flight; the connection is not reopened (its owner makes a
 * new one).
 */
export class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelation = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: BrokerAddress,
    private readonly clientId: string,
  ) {
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', (error) =>
      this.fail(new KafkaError(`connection to ${this.name} failed: ${error.message}`, error)),
    );
    socket.on('close', () => this.fail(new KafkaError(`connection to ${this.name} closed`)));
  }

  get name(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Opens a connection, or fails after `timeoutMs`. */
  static open(address: BrokerAddress, clientId: string, timeoutMs: number): Promise<BrokerConnection> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new KafkaError(
            `cannot connect to ${address.host}:${address.port}: no answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new KafkaError(error.message, error));
      });
      socket.connect(address.port, address.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new BrokerConnection(socket, address, clientId));
      });
    });
  }

  /**
   * Sends a request (its body written by `body`) and resolves with a reader at the start of the
   * response body; without an answer within `timeoutMs`, the connection is closed and the request
   * fails (with every other one in flight on it).
   */
  request(
    apiKey: number,
    version: number,
    what: string,
    body: (writer: ProtocolWriter) => void,
    timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ): Promise<ProtocolReader> {
    if (this.failure) return Promise.reject(this.failure);
    const correlation = this.nextCorrelation++;
    const writer = new ProtocolWriter(1024).int32(0).int16(apiKey).int16(version).int32(correlation);
    writer.nullableString(this.clientId).tags();
    body(writer);
    const frame = writer.bytes();
    frame.writeInt32BE(frame.length - 4, 0);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        this.fail(
          new KafkaError(
            `no answer from ${this.name} to a ${what.replace(/ response$/, '')} request within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      this.pending.set(correlation, { resolve, reject, what, timer });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(new KafkaError(`connection to ${this.name} closed`));
  }

  private receive(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    for (;;) {
      if (this.buffered < 4) return;
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.merge();
      const size = head.readInt32BE(0);
      if (this.buffered < size + 4) return;
      const all = this.merge();
      const frame = all.subarray(4, size + 4);
      const rest = all.subarray(size + 4);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.dispatch(frame);
    }
  }

  private merge(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  private dispatch(frame: Buffer): void {
    const correlation = frame.readInt32BE(0);
    const request = this.pending.get(correlation);
    if (request === undefined) return;
    this.pending.delete(correlation);
    clearTimeout(request.timer);
    try {
      const reader = new ProtocolReader(frame, 4, request.what);
      reader.tags();
      request.resolve(reader);
    } catch (error) {
      request.reject(error as Error);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.reject(this.failure);
    }
    this.pending.clear();
  }
}
