import { restoreOperator, snapshotOperator } from '../checkpoint/operator-state.js';
import type {
  CreateOperator,
  KeyedOperator,
  KeyedState,
  OperatorContext,
  OperatorSpec,
} from '../operator.js';
import { importFactory } from './import-factory.js';

const EMPTY_STATE: KeyedState = { keys: new Uint32Array(0), values: new Uint32Array(0) };

/**
 * The operator instances of one worker's key groups, one per state scope (see StateCommand).
 * Scope 0 is created when the worker starts, so that a broken operator fails the job at once;
 * others on their first chunk or restore.
 */
export class ScopedOperators {
  private readonly instances = new Map<number, KeyedOperator>();
  private expiredInDropped = 0;

  private constructor(
    private readonly create: CreateOperator,
    private readonly spec: OperatorSpec,
    private readonly context: OperatorContext,
  ) {}

  static async load(spec: OperatorSpec, context: OperatorContext): Promise<ScopedOperators> {
    const create = await importFactory<CreateOperator>(spec.module, 'createOperator', 'operator');
    const operators = new ScopedOperators(create, spec, context);
    operators.instances.set(0, await create(spec.config, context));
    return operators;
  }

  /** The scope's instance; a promise only while an asynchronous factory makes a new one. */
  get(scope: number): KeyedOperator | Promise<KeyedOperator> {
    const existing = this.instances.get(scope);
    if (existing !== undefined) return existing;
    const created = this.create(this.spec.config, this.context);
    if (created instanceof Promise) return created.then((operator) => this.adopt(scope, operator));
    return this.adopt(scope, created);
  }

  /** Replaces the scope's state with `state`. */
  restore(scope: number, state: KeyedState): void | Promise<void> {
    this.drop(scope);
    const operator = this.get(scope);
    if (operator instanceof Promise) return operator.then((ready) => restoreOperator(ready, state));
    restoreOperator(operator, state);
  }

  snapshot(scope: number): KeyedState {
    const operator = this.instances.get(scope);
    return operator === undefined ? EMPTY_STATE : snapshotOperator(operator);
  }

  drop(scope: number): void {
    const operator = this.instances.get(scope);
    if (operator === undefined) return;
    this.expiredInDropped += operator.expiredKeys?.() ?? 0;
    this.instances.delete(scope);
  }

  liveKeys(): number {
    let live = 0;
    for (const operator of this.instances.values()) live += operator.liveKeys();
    return live;
  }

  expiredKeys(): number {
    let expired = this.expiredInDropped;
    for (const operator of this.instances.values()) expired += operator.expiredKeys?.() ?? 0;
    return expired;
  }

  private adopt(scope: number, operator: KeyedOperator): KeyedOperator {
    this.instances.set(scope, operator);
    return operator;
  }
}
