import { concatKeyedStates, splitKeyedState } from '../checkpoint/keyed-state.js';
import type { KeyedState } from '../operator.js';
import type { Executor } from './executor.js';
import type { StateCommand } from './state-commands.js';

interface PendingSnapshot {
  shares: KeyedState[];
  remaining: number;
  done: (state: KeyedState) => void;
}

/**
 * Carries a sequential source's state commands to every worker, in stream order, and gathers the
 * workers' shares of each snapshot into one state for the source.
 */
export class ScopeCommands {
  private nextId = 0;
  private readonly snapshots = new Map<number, PendingSnapshot>();

  constructor(
    private readonly executor: Executor,
    private readonly partitions: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Snapshots asked for and not yet answered by every worker. */
  get pending(): number {
    return this.snapshots.size;
  }

  apply(command: StateCommand): void {
    const { executor } = this;
    const { scope } = command;
    switch (command.command) {
      case 'restore': {
        const shares = splitKeyedState(command.state, executor.slots, this.partitions);
        shares.forEach((state, worker) => {
          executor.command(worker, { t: 'restore', scope, state });
        });
        return;
      }
      case 'snapshot': {
        const id = this.nextId++;
        this.snapshots.set(id, { shares: [], remaining: executor.slots, done: command.done });
        for (let worker = 0; worker < executor.slots; worker++) {
          executor.command(worker, { t: 'snapshot', scope, id });
        }
        return;
      }
      case 'drop':
        for (let worker = 0; worker < executor.slots; worker++)
          executor.command(worker, { t: 'drop', scope });
        return;
    }
  }

  /** A worker's share of snapshot `id`. */
  answer(worker: number, id: number, state: KeyedState): void {
    const snapshot = this.snapshots.get(id);
    if (snapshot === undefined) return;
    snapshot.shares[worker] = state;
    if (--snapshot.remaining > 0) return;
    this.snapshots.delete(id);
    try {
      snapshot.done(concatKeyedStates(snapshot.shares));
    } catch (error) {
      this.onError(error);
    }
  }
}
