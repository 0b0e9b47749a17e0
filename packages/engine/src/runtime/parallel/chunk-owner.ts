import { OutputBuffer } from '../../collect/output-buffer.js';
import type { KeyedOperator } from '../../operator.js';
import type { OutMessage, PartMessage } from './protocol.js';

export interface OutPort {
  postMessage(message: OutMessage, transferList: ArrayBuffer[]): void;
}

/**
 * The owner side of the exchange: parts of chunks arrive from several producers, possibly out of
 * chunk order; they are applied strictly in chunk-index order (early ones are held — at most the
 * main thread's grant window), so per-key order is source order for any producer count.
 */
export class ChunkOwner {
  private readonly held = new Map<number, PartMessage>();
  private readonly out = new OutputBuffer();
  private nextChunk = 0;
  private applied = 0;

  constructor(
    private readonly operator: KeyedOperator,
    private readonly results: OutPort,
    private readonly onApplied: (part: PartMessage) => void = () => undefined,
  ) {}

  get events(): number {
    return this.applied;
  }

  /** Parts held because an earlier chunk has not arrived yet. */
  get holding(): number {
    return this.held.size;
  }

  receive(part: PartMessage): void {
    if (part.chunk !== this.nextChunk) {
      this.held.set(part.chunk, part);
      return;
    }
    this.apply(part);
    for (let next = this.held.get(this.nextChunk); next !== undefined; next = this.held.get(this.nextChunk)) {
      this.held.delete(next.chunk);
      this.apply(next);
    }
  }

  private apply(part: PartMessage): void {
    if (part.count > 0) this.operator.process(part, this.out);
    this.applied += part.count;
    this.nextChunk++;
    this.onApplied(part);
    const columns = this.out.take();
    this.results.postMessage({ t: 'out', chunk: part.chunk, events: part.count, ...columns }, [
      columns.positions.buffer as ArrayBuffer,
      columns.keys.buffer as ArrayBuffer,
      columns.codes.buffer as ArrayBuffer,
    ]);
  }
}
