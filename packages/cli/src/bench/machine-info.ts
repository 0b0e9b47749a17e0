import { availableParallelism, cpus } from 'node:os';

/** The machine a sweep ran on, as results.json records it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
}

export function describeMachine(): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: availableParallelism(),
    node: process.version,
  };
}

export function formatMachine(machine: MachineInfo): string {
  return `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`;
}
