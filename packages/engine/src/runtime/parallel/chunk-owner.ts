import { stateBuffers } from '../../checkpoint/keyed-state.js';
import { snapshotOperator } from '../../checkpoint/operator-state.js';
import { OutputBuffer } from '../../collect/output-buffer.js';
import type { KeyedOperator } from '../../operator.js';
import type { OutMessage, OwnerStateMessage, PartMessage } from './protocol.js';

export interface OwnerPort {
  postMessage(message: OutMessage | OwnerStateMessage, transferList: ArrayBuffer[]): void;
}

/**
 * The owner side of the exchange: parts of chunks arrive from several producers, possibly out of
 * chunk order; they are applied strictly in chunk-index order and only once granted (early ones are
 * held — at most the main thread's grant window), so per-key order is source order for any
 * producer count, and a barrier, which arrives before the grant past it, always finds the owner at
 * or before its chunk.
 */
export class ChunkOwner {
  private readonly held = new Map<number, PartMessage>();
  private readonly out = new OutputBuffer();
  private nextChunk: number;
  private firstEvent: number;
  private granted = -1;
  /** Chunks whose barrier arrived and whose state is not reported yet, in increasing order. */
  private readonly barriers: number[] = [];
  private applied = 0;

  constructor(
    private readonly operator: KeyedOperator,
    private readonly results: OwnerPort,
    start: { chunk: number; firstEvent: number },
    private readonly onApplied: (part: PartMessage) => void = () => undefined,
  ) {
    this.nextChunk = start.chunk;
    this.firstEvent = start.firstEvent;
  }

  /** Events applied by this owner in this run. */
  get events(): number {
    return this.applied;
  }

  /** Parts held because an earlier chunk has not arrived or they are not granted yet. */
  get holding(): number {
    return this.held.size;
  }

  receive(part: PartMessage): void {
    this.held.set(part.chunk, part);
    this.drain();
  }

  grant(upTo: number): void {
    this.granted = Math.max(this.granted, upTo);
    this.drain();
  }

  /**
   * Reports the state as of the start of `chunk` once every earlier chunk is applied. Barriers
   * come in increasing chunk order, each before the grant that reaches its chunk.
   */
  checkpointAt(chunk: number): void {
    this.barriers.push(chunk);
    this.reportAtBarrier();
  }

  private drain(): void {
    for (let next = this.held.get(this.nextChunk); next !== undefined; next = this.held.get(this.nextChunk)) {
      if (next.chunk > this.granted) return;
      this.held.delete(next.chunk);
      this.apply(next);
    }
  }

  private apply(part: PartMessage): void {
    this.operator.process(part, this.out, { chunk: part.chunk, firstEvent: this.firstEvent });
    this.applied += part.count;
    this.firstEvent += part.chunkEvents;
    this.nextChunk++;
    this.onApplied(part);
    const columns = this.out.take();
    this.results.postMessage({ t: 'out', chunk: part.chunk, events: part.count, ...columns }, [
      columns.positions.buffer as ArrayBuffer,
      columns.keys.buffer as ArrayBuffer,
      columns.codes.buffer as ArrayBuffer,
    ]);
    this.reportAtBarrier();
  }

  private reportAtBarrier(): void {
    if (this.barriers[0] !== this.nextChunk) return;
    const chunk = this.nextChunk;
    this.barriers.shift();
    const keyed = snapshotOperator(this.operator);
    const message: OwnerStateMessage = {
      t: 'owner-state',
      chunk,
      keyed,
      expiredKeys: this.operator.expiredKeys?.() ?? 0,
    };
    this.results.postMessage(message, stateBuffers(keyed));
  }
}
