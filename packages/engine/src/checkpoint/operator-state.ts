import type { KeyedOperator, KeyedState } from '../operator.js';

/** The operator's state for a checkpoint; an operator without snapshot() cannot be checkpointed. */
export function snapshotOperator(operator: KeyedOperator): KeyedState {
  if (operator.snapshot === undefined) {
    throw new Error('the operator cannot be checkpointed: it has no snapshot()');
  }
  return operator.snapshot();
}

/** Loads a checkpoint's keys into the operator; one without restore() cannot resume. */
export function restoreOperator(operator: KeyedOperator, state: KeyedState): void {
  if (operator.restore === undefined) {
    throw new Error('the operator cannot restore a checkpoint: it has no restore()');
  }
  operator.restore(state);
}
