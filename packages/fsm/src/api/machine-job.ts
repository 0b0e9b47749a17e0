import {
  type ChunkSource,
  createJob,
  fromBatches,
  InvalidJobOptionsError,
  isSource,
  type Job,
  type JobConfig,
  type JobState,
  type JobSummary,
  type OutputSink,
} from '@statecraft/engine';
import type { Alert } from '../alerts/format.js';
import { stateMachineOperator } from '../operator-spec.js';
import type { StateTtl } from '../state-ttl.js';
import { alertSink } from './alert-sink.js';
import type { MachineSource } from './machine-context.js';
import { type MachineInput, resolveMachine } from './resolve-machine.js';

/** The engine's job settings a machine job passes on as they are. */
type EngineSettings = Pick<
  JobConfig,
  | 'workers'
  | 'partitions'
  | 'sourceParallelism'
  | 'maxInFlightPerWorker'
  | 'headStart'
  | 'resourceLimits'
  | 'signal'
  | 'checkpoint'
  | 'resumeFrom'
  | 'maxRestarts'
  | 'restartBackoffMs'
  | 'onRestart'
>;

export interface MachineJobConfig extends EngineSettings {
  /** The machine: compiled, a definition object, `seed`, `flink`, or a .json file. */
  machine: MachineInput;
  /**
   * The events: `fromEvents` (records named by the machine's events), `fromGenerator`,
   * `fromFile`, `fromStream`, or columnar chunks.
   */
  source: MachineSource | ChunkSource;
  /** Receives each chunk's alerts as typed objects, in source order. Give this or `sink`. */
  onAlerts?: (alerts: Alert[], chunk: number) => void | Promise<void>;
  /** Receives the alerts columnar (e.g. a TextStreamSink with createAlertFormatter). */
  sink?: OutputSink;
  /** Idle addresses forget their state after this many events of the stream (or milliseconds). */
  stateTtl?: StateTtl;
}

/**
 * A detection job: the machine runs per address on the worker threads over the source, and every
 * invalid transition is an alert. `run()` resolves with the summary (`outputs` is the number of
 * alerts); `stop()` stops it gracefully.
 */
export function createMachineJob(config: MachineJobConfig): Job {
  if ((config.onAlerts === undefined) === (config.sink === undefined)) {
    throw new InvalidJobOptionsError('give a machine job either onAlerts or sink');
  }
  return new MachineJob(config);
}

class MachineJob implements Job {
  private readonly controller = new AbortController();
  private running: Promise<JobSummary> | undefined;
  private engineJob: Job | undefined;
  private failed = false;

  constructor(private readonly config: MachineJobConfig) {}

  get state(): JobState {
    if (this.engineJob !== undefined) return this.engineJob.state;
    if (this.failed) return 'failed';
    if (this.running === undefined) return 'ready';
    return this.controller.signal.aborted ? 'stopping' : 'running';
  }

  run(): Promise<JobSummary> {
    this.running ??= this.start().catch((error: unknown) => {
      this.failed = true;
      throw error;
    });
    return this.running;
  }

  stop(): void {
    this.controller.abort();
    this.engineJob?.stop();
  }

  private async start(): Promise<JobSummary> {
    const { config } = this;
    const machine = await resolveMachine(config.machine);
    const source = isSource(config.source) ? (config.source as MachineSource) : fromBatches(config.source);
    const signal =
      config.signal === undefined
        ? this.controller.signal
        : AbortSignal.any([config.signal, this.controller.signal]);
    const {
      machine: _machine,
      source: _source,
      onAlerts,
      sink,
      stateTtl,
      signal: _signal,
      ...engine
    } = config;
    this.engineJob = createJob({
      ...engine,
      source: { open: (context) => source.open({ ...context, machine }) },
      operator: stateMachineOperator(machine, stateTtl === undefined ? {} : { ttl: stateTtl }),
      sink: onAlerts === undefined ? sink! : alertSink(machine, onAlerts),
      eventNames: machine.eventNames,
      signal,
    });
    return this.engineJob.run();
  }
}
