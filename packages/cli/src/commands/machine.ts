import { StreamWriter } from '@statecraft/engine';
import {
  type CompiledMachine,
  formatIssue,
  isMachineDefinitionError,
  listTransitions,
  loadMachine,
  toMermaid,
} from '@statecraft/fsm';
import type { DiagramFormat } from '../definitions/diagram-formats.js';
import { ExitCode } from '../exit-codes.js';
import { openOutput } from '../io/open-output.js';
import { resolveMachine } from '../machine-flag.js';

/** `statecraft machine show`: the diagram on stdout or in a file (exit 73 when it cannot be written). */
export async function showMachine(nameOrPath: string, format: DiagramFormat, out: string): Promise<number> {
  const machine = await resolveMachine(nameOrPath, { label: '' });
  const text = format === 'svg' ? await svgDiagram(machine) : toMermaid(machine);
  const output = openOutput(out);
  const writer = new StreamWriter(output.stream, output.name);
  await writer.write(text);
  await writer.finish(output.owned);
  return ExitCode.ok;
}

/** The machine laid out with dagre, as SVG (the layout is loaded only for this format). */
async function svgDiagram(machine: CompiledMachine): Promise<string> {
  const [{ layoutMachine }, { renderSvg }] = await Promise.all([
    import('../diagram/layout.js'),
    import('../diagram/svg.js'),
  ]);
  return renderSvg(layoutMachine(machine), `state machine ${machine.name}`);
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
