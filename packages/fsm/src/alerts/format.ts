import type { OutputColumns } from '@statecraft/engine';
import { formatAddress } from '@statecraft/engine';
import type { CompiledMachine } from '../machine/compile.js';
import { alertEvent, alertState } from './alert-code.js';

export type AlertFormat = 'text' | 'csv' | 'ndjson';
export const ALERT_FORMATS: readonly AlertFormat[] = ['text', 'csv', 'ndjson'];

/** An alert at the API boundary: the address, the state it was in, and the event it could not take. */
export interface Alert {
  address: string;
  state: string;
  event: string;
}

export function decodeAlerts(machine: CompiledMachine, columns: OutputColumns): Alert[] {
  const alerts: Alert[] = [];
  for (let i = 0; i < columns.count; i++) {
    const code = columns.codes[i]!;
    alerts.push({
      address: formatAddress(columns.keys[i]!),
      state: machine.stateNames[alertState(code)]!,
      event: machine.eventNames[alertEvent(code)]!,
    });
  }
  return alerts;
}

/** Formats batches of alerts as lines; `header()` is written once before the first batch. */
export interface AlertFormatter {
  header(): string;
  format(columns: OutputColumns): string;
}

export function createAlertFormatter(machine: CompiledMachine, format: AlertFormat): AlertFormatter {
  const { stateNames, eventNames } = machine;
  const line = lineWriter(format, stateNames, eventNames);
  return {
    header: () => (format === 'csv' ? 'address,state,event\n' : ''),
    format(columns) {
      let out = '';
      for (let i = 0; i < columns.count; i++) {
        const code = columns.codes[i]!;
        out += line(formatAddress(columns.keys[i]!), alertState(code), alertEvent(code));
      }
      return out;
    },
  };
}

function lineWriter(
  format: AlertFormat,
  stateNames: readonly string[],
  eventNames: readonly string[],
): (address: string, state: number, event: number) => string {
  switch (format) {
    case 'text':
      return (address, state, event) => `ALERT ${address} : ${stateNames[state]} -> ${eventNames[event]}\n`;
    case 'csv':
      return (address, state, event) => `${address},${stateNames[state]},${eventNames[event]}\n`;
    case 'ndjson': {
      const states = stateNames.map((name) => JSON.stringify(name));
      const events = eventNames.map((name) => JSON.stringify(name));
      return (address, state, event) =>
        `{"address":"${address}","state":${states[state]},"event":${events[event]}}\n`;
    }
  }
}
