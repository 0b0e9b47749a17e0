export { alertEvent, alertState, encodeAlert } from './alerts/alert-code.js';
export type { Alert, AlertFormat, AlertFormatter } from './alerts/format.js';
export { ALERT_FORMATS, createAlertFormatter, decodeAlerts } from './alerts/format.js';
export { alertSink } from './api/alert-sink.js';
export type { FromGeneratorOptions } from './api/from-generator.js';
export { fromGenerator } from './api/from-generator.js';
export type { MachineSource, MachineSourceContext } from './api/machine-context.js';
export type { MachineJobConfig } from './api/machine-job.js';
export { createMachineJob } from './api/machine-job.js';
export type { MachineInput } from './api/resolve-machine.js';
export { resolveMachine } from './api/resolve-machine.js';
export type { GeneratorOptions, GeneratorPlan } from './generator/event-stream.js';
export {
  DEFAULT_ADDRESS_RANGE,
  DEFAULT_GENERATOR_CHUNK,
  DEFAULT_GENERATOR_SPLITS,
  GeneratorChunks,
  generateChunks,
  planGenerator,
  splitOptions,
} from './generator/event-stream.js';
export type { GeneratorSourceConfig } from './generator/generator-source.js';
export { generatorSource } from './generator/generator-source.js';
export { mixSeed, Sfc32 } from './generator/prng.js';
export type { SplitGeneratorOptions } from './generator/split-generator.js';
export { MAX_LIVE_MACHINES, SplitGenerator } from './generator/split-generator.js';
export type { CompiledMachine, StateChoices } from './machine/compile.js';
export { compileMachine } from './machine/compile.js';
export type { MachineDefinition, MachineIssue, TransitionSpec } from './machine/definition.js';
export { formatIssue } from './machine/definition.js';
export { isMachineDefinitionError, MachineDefinitionError } from './machine/errors.js';
export { INVALID_TRANSITION, MAX_EVENTS, MAX_STATES } from './machine/limits.js';
export { compileMachineText, loadMachine } from './machine/load.js';
export { toMermaid } from './machine/mermaid.js';
export { FLINK_MACHINE, PRESETS, SEED_MACHINE } from './machine/presets.js';
export type { TransitionEntry } from './machine/transitions.js';
export { formatProbability, listTransitions } from './machine/transitions.js';
export type { ValidationResult } from './machine/validate.js';
export { validateMachine } from './machine/validate.js';
export type { StateMachineOperatorConfig } from './operator.js';
export { stateMachineOperator } from './operator-spec.js';
export type { DurationUnit, StateTtl } from './state-ttl.js';
export { parseEventsOrDuration, parseStateTtl, TTL_SWEEP_EVERY_CHUNKS } from './state-ttl.js';
