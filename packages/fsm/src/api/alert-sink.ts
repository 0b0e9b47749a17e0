import { type OutputSink, recordsSink } from '@statecraft/engine';
import { type Alert, decodeAlerts } from '../alerts/format.js';
import type { CompiledMachine } from '../machine/compile.js';

/** A sink that hands each chunk's alerts, as typed objects in source order, to a callback. */
export function alertSink(
  machine: CompiledMachine,
  onAlerts: (alerts: Alert[], chunk: number) => void | Promise<void>,
): OutputSink {
  return recordsSink((columns) => decodeAlerts(machine, columns), onAlerts);
}
