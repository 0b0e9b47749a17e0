import type { Argv } from 'yargs';
import { DIAGRAM_FORMATS, type DiagramFormat } from './diagram-formats.js';

const MACHINE_ARGUMENT = {
  type: 'string',
  describe: 'seed, flink or a .json definition',
  demandOption: true,
} as const;

/**
 * Registers `statecraft machine show|check`, loading the machine model (and, for SVG, the diagram
 * layout) only when one runs. `done` receives the exit code.
 */
export function defineMachine(y: Argv, done: (exitCode: number) => void): Argv {
  return y.command('machine', 'show a state machine as a diagram, or check a definition', (m) =>
    m
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
          const { showMachine } = await import('../commands/machine.js');
          done(await showMachine(args.machine, args.format as DiagramFormat, args.out));
        },
      )
      .command(
        'check <machine>',
        'validate a machine definition: every problem with its place, then any warnings (exit 2 if invalid)',
        (c) => c.positional('machine', MACHINE_ARGUMENT),
        async (args) => {
          const { checkMachine } = await import('../commands/machine.js');
          done(await checkMachine(args.machine));
        },
      )
      .demandCommand(1, 'name a machine command: show or check'),
  );
}
