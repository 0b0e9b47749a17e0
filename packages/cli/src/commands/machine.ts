import { StreamWriter } from '@statecraft/engine';
import {
  type CompiledMachine,
  formatIssue,
  isMachineDefinitionError,
  listTransitions,
  loadMachine,
  toMermaid,
} from '@statecraft/fsm';
import type { Argv } from 'yargs';
import { layoutMachine } from '../diagram/layout.js';
import { renderSvg } from '../diagram/svg.js';
import { ExitCode } from '../exit-codes.js';
import { openOutput } from '../io/open-output.js';
import { resolveMachine } from '../machine-flag.js';

export const DIAGRAM_FORMATS = ['mermaid', 'svg'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

const MACHINE_ARGUMENT = {
  type: 'string',
  describe: 'seed, flink or a .json definition',
  demandOption: true,
} as const;

/** `statecraft machine show|check`; `done` receives the exit code. */
export function machineCommands(y: Argv, done: (exitCode: number) => void): Argv {
  return y
    .command(
      'show <machine>',
      'print the machine as a diagram: Mermaid stateDiagram-v2, or SVG laid out with dagre',
      (c) =>
        c.positional('machine', MACHINE_ARGUMENT).options({
          format: {
            type: 'string',
            choices: DIAGRAM_FORMATS,
            default: 'mermaid',
            describe: 'diagram format',
          },
          out: { type: 'string', default: '-', describe: 'file to write, or - for stdout' },
        }),
      async (args) => {
        done(await showMachine(args.machine, args.format as DiagramFormat, args.out));
      },
    )
    .command(
      'check <machine>',
      'validate a machine definition: every problem with its place, then any warnings (exit 2 if invalid)',
      (c) => c.positional('machine', MACHINE_ARGUMENT),
      async (args) => {
        done(await checkMachine(args.machine));
      },
    )
    .demandCommand(1, 'name a machine command: show or check');
}

/** `statecraft machine show`: the diagram on stdout or in a file (exit 73 when it cannot be written). */
export async function showMachine(nameOrPath: string, format: DiagramFormat, out: string): Promise<number> {
  const machine = await resolveMachine(nameOrPath, { label: '' });
  const text =
    format === 'svg'
      ? renderSvg(layoutMachine(machine), `state machine ${machine.name}`)
      : toMermaid(machine);
  const output = openOutput(out);
  const writer = new StreamWriter(output.stream, output.name);
  await writer.write(text);
  await writer.finish(output.owned);
  return ExitCode.ok;
}

/**
 * `statecraft machine check`: an invalid machine lists every problem, one line each, and exits 2;
 * a valid one prints a one-line description on stdout and its warnings on stderr.
 */
export async function checkMachine(nameOrPath: string): Promise<number> {
  let machine: CompiledMachine;
  try {
    machine = await loadMachine(nameOrPath);
  } catch (error) {
    if (!isMachineDefinitionError(error)) throw error;
    for (const issue of error.issues)
      process.stderr.write(`statecraft: ${nameOrPath}: ${formatIssue(issue)}\n`);
    return ExitCode.usage;
  }
  for (const warning of machine.warnings) {
    process.stderr.write(`statecraft: warning: ${nameOrPath}: ${formatIssue(warning)}\n`);
  }
  process.stdout.write(`${nameOrPath}: ok: ${describeMachine(machine)}\n`);
  return ExitCode.ok;
}

function describeMachine(machine: CompiledMachine): string {
  const terminal = machine.terminal.reduce((n, t) => n + t, 0);
  const warnings = machine.warnings.length;
  return (
    `machine "${machine.name}", ${machine.stateNames.length} states (${terminal} terminal), ` +
    `${machine.eventNames.length} events, ${listTransitions(machine).length} transitions` +
    (warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '')
  );
}
