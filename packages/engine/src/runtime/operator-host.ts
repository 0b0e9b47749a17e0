import type { OutputColumns } from '../batch.js';
import { OutputBuffer } from '../collect/output-buffer.js';
import type { KeyedOperator, KeyedState } from '../operator.js';
import type { BusyClock } from './monitor/thread-load.js';
import type { ScopedOperators } from './scoped-operators.js';
import type { PartMessage, ScopeMessage } from './worker-protocol.js';

export interface HostListener {
  output(chunk: number, columns: OutputColumns): void;
  snapshot(id: number, state: KeyedState): void;
  failed(error: unknown): void;
}

/**
 * Applies one worker's messages (parts and state commands) to its scoped operators, strictly in
 * arrival order: a message waits only while an asynchronous factory makes a new scope's instance.
 * After a failure it applies nothing more.
 */
export class OperatorHost {
  private readonly out = new OutputBuffer();
  private waiting: Promise<void> | undefined;
  private failed = false;
  events = 0;

  constructor(
    readonly operators: ScopedOperators,
    private readonly listener: HostListener,
    private readonly clock: BusyClock,
  ) {}

  handle(message: PartMessage | ScopeMessage): void {
    if (this.waiting !== undefined) {
      this.waiting = this.waiting.then(() => this.guarded(message));
      return;
    }
    const pending = this.guarded(message);
    if (pending === undefined) return;
    const waiting = pending.finally(() => {
      if (this.waiting === waiting) this.waiting = undefined;
    });
    this.waiting = waiting;
  }

  /** Resolves once every message handed over so far has been applied (or the host failed). */
  idle(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  private guarded(message: PartMessage | ScopeMessage): Promise<void> | undefined {
    if (this.failed) return undefined;
    try {
      const pending = this.apply(message);
      return pending?.catch((error: unknown) => this.fail(error));
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  private apply(message: PartMessage | ScopeMessage): Promise<void> | undefined {
    switch (message.t) {
      case 'part': {
        const operator = this.operators.get(message.scope);
        if (operator instanceof Promise) return operator.then((ready) => this.process(ready, message));
        this.process(operator, message);
        return undefined;
      }
      case 'restore': {
        const restored = this.operators.restore(message.scope, message.state);
        return restored instanceof Promise ? restored : undefined;
      }
      case 'snapshot':
        this.listener.snapshot(message.id, this.operators.snapshot(message.scope));
        return undefined;
      case 'drop':
        this.operators.drop(message.scope);
        return undefined;
    }
  }

  private process(operator: KeyedOperator, part: PartMessage): void {
    this.clock.begin();
    try {
      operator.process(part, this.out, { chunk: part.chunk, firstEvent: part.firstEvent });
    } finally {
      this.clock.end();
    }
    this.events += part.count;
    this.listener.output(part.chunk, this.out.take());
  }

  private fail(error: unknown): void {
    this.failed = true;
    this.listener.failed(error);
  }
}
