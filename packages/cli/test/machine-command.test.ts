import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, linesOf, ROOT, runCli, stderrProblems, useTempDir } from './helpers.js';

const LOGIN = join(ROOT, 'examples/machines/login.json');

beforeAll(assertBuilt);
const dir = useTempDir();

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface SvgDiagram {
  width: number;
  height: number;
  /** State name → its box (the outer rectangle). */
  states: Map<string, Box & { terminal: boolean }>;
  start: { cx: number; cy: number; r: number };
  transitions: { from: string; to: string; event: string; points: [number, number][]; label: string }[];
  startEdge: [number, number][];
}

/** Reads back the diagram's geometry from the SVG `machine show --format svg` writes. */
function readSvg(svg: string): SvgDiagram {
  const size = /^<svg [^>]*width="([\d.]+)" height="([\d.]+)" viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  if (size === null) throw new Error('no <svg> element with a size and viewBox');
  const states = new Map<string, Box & { terminal: boolean }>();
  for (const m of svg.matchAll(
    /<g class="(state|terminal)" data-state="([^"]+)"><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g,
  )) {
    if (states.has(m[2]!)) throw new Error(`state ${m[2]} drawn twice`);
    states.set(m[2]!, {
      terminal: m[1] === 'terminal',
      x: Number(m[3]),
      y: Number(m[4]),
      width: Number(m[5]),
      height: Number(m[6]),
    });
  }
  const start = /<g class="start"><circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"/.exec(svg);
  if (start === null) throw new Error('no start dot');
  const transitions = [
    ...svg.matchAll(
      /<g class="transition" data-from="([^"]+)" data-to="([^"]+)" data-event="([^"]+)"><path d="([^"]+)"[^>]*\/><text [^>]*>([^<]+)<\/text><\/g>/g,
    ),
  ].map((m) => ({ from: m[1]!, to: m[2]!, event: m[3]!, points: pathPoints(m[4]!), label: m[5]! }));
  const startEdge = /<g class="start-edge"><path d="([^"]+)"/.exec(svg);
  if (startEdge === null) throw new Error('no arrow from the start dot');
  return {
    width: Number(size[1]),
    height: Number(size[2]),
    states,
    start: { cx: Number(start[1]), cy: Number(start[2]), r: Number(start[3]) },
    transitions,
    startEdge: pathPoints(startEdge[1]!),
  };
}

function pathPoints(d: string): [number, number][] {
  const numbers = d.match(/-?[\d.]+/g)!.map(Number);
  const points: [number, number][] = [];
  for (let i = 0; i < numbers.length; i += 2) points.push([numbers[i]!, numbers[i + 1]!]);
  return points;
}

/** How far a point is outside the box (negative inside); 0 on its border. */
function borderDistance([px, py]: [number, number], box: Box): number {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return Math.max(Math.abs(px - cx) - box.width / 2, Math.abs(py - cy) - box.height / 2);
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every element opened is closed, in order: the SVG is well-formed XML as far as tags go. */
function tagProblems(svg: string): string[] {
  const open: string[] = [];
  const problems: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') {
      const top = open.pop();
      if (top !== m[2]) problems.push(`</${m[2]}> closes <${top}>`);
    } else {
      open.push(m[2]!);
    }
  }
  if (open.length > 0) problems.push(`unclosed: ${open.join(', ')}`);
  return problems;
}

describe('statecraft machine show', () => {
  it('prints the seed machine as the Mermaid diagram in the README', async () => {
    const result = await runCli(['machine', 'show', 'seed']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`mermaid\n${result.stdout.toString('utf8')}\`\`\``);
  });

  it('prints a custom machine with its own names, every transition once', async () => {
    const result = await runCli(['machine', 'show', LOGIN]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const lines = linesOf(result.stdout);
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> Anonymous');
    expect(lines).toContain('  Authenticating --> MfaPending: password-ok (0.8)');
    expect(lines).toContain('  Session --> Session: session-refresh (0.5)');
    expect(lines).toContain('  LoggedOut --> [*]');
    expect(lines).toContain('  LockedOut --> [*]');
    expect(lines.filter((l) => / --> \w+: /.test(l))).toHaveLength(11);
  });

  it('writes an SVG laid out as a layered graph: boxes apart, arrows from border to border', async () => {
    const out = join(dir(), 'seed.svg');
    const result = await runCli(['machine', 'show', 'seed', '--format', 'svg', '--out', out]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.length).toBe(0);
    const svg = await readFile(out, 'utf8');
    expect(tagProblems(svg)).toEqual([]);
    const diagram = readSvg(svg);

    expect([...diagram.states.keys()].sort()).toEqual(['Initial', 'Terminal', 'W', 'X', 'Y', 'Z']);
    expect([...diagram.states].filter(([, box]) => box.terminal).map(([name]) => name)).toEqual(['Terminal']);
    const boxes = [...diagram.states.values()];
    for (const box of boxes) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(diagram.width);
      expect(box.y + box.height).toBeLessThanOrEqual(diagram.height);
    }
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    });

    // Top to bottom, rank by rank: the start, Initial, {W, X}, Y, Z, Terminal.
    const top = (name: string) => diagram.states.get(name)!.y;
    expect(diagram.start.cy).toBeLessThan(top('Initial'));
    expect(top('Initial')).toBeLessThan(Math.min(top('W'), top('X')));
    expect(Math.max(top('W'), top('X'))).toBeLessThan(top('Y'));
    expect(top('Y')).toBeLessThan(top('Z'));
    expect(top('Z')).toBeLessThan(top('Terminal'));

    expect(diagram.transitions.map((t) => `${t.from} -${t.event}-> ${t.to}: ${t.label}`)).toEqual([
      'Initial -a-> W: a (0.6)',
      'Initial -c-> X: c (0.4)',
      'W -b-> Y: b (1.0)',
      'X -b-> Y: b (0.2)',
      'X -d-> Z: d (0.8)',
      'Y -e-> Z: e (1.0)',
      'Z -f-> Z: f (0.3)',
      'Z -g-> Terminal: g (0.7)',
    ]);
    for (const t of diagram.transitions) {
      const from = diagram.states.get(t.from)!;
      const to = diagram.states.get(t.to)!;
      expect(Math.abs(borderDistance(t.points[0]!, from)), `${t.from} -${t.event}->`).toBeLessThan(1);
      expect(Math.abs(borderDistance(t.points.at(-1)!, to)), `-${t.event}-> ${t.to}`).toBeLessThan(1);
    }
    const initial = diagram.states.get('Initial')!;
    expect(Math.abs(borderDistance(diagram.startEdge.at(-1)!, initial))).toBeLessThan(1);
  });

  it('writes the SVG of a custom machine to stdout, its loop beside its state', async () => {
    const result = await runCli(['machine', 'show', LOGIN, '--format', 'svg']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const svg = result.stdout.toString('utf8');
    expect(tagProblems(svg)).toEqual([]);
    const diagram = readSvg(svg);
    expect(diagram.states.size).toBe(8);
    expect(diagram.transitions).toHaveLength(11);
    const loop = diagram.transitions.find((t) => t.event === 'session-refresh')!;
    const session = diagram.states.get('Session')!;
    expect(loop.from).toBe('Session');
    // Out of the right side and back into it, bulging to the right.
    expect(Math.abs(loop.points[0]![0] - (session.x + session.width))).toBeLessThan(1);
    expect(Math.abs(loop.points.at(-1)![0] - (session.x + session.width))).toBeLessThan(1);
    expect(Math.max(...loop.points.map(([x]) => x))).toBeGreaterThan(session.x + session.width + 5);
  });

  it('exits 2 with one line for an unknown machine, and 73 when the file cannot be written', async () => {
    const unknown = await runCli(['machine', 'show', 'nosuch']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(stderrProblems(unknown.stderr)).toEqual([]);
    expect(unknown.stderr).toContain('nosuch: unknown machine');

    const unwritable = await runCli([
      'machine',
      'show',
      'seed',
      '--format',
      'svg',
      '--out',
      join(dir(), 'no/such/dir().svg'),
    ]);
    expect(unwritable.code).toBe(EXIT.cannotWrite);
    expect(stderrProblems(unwritable.stderr)).toEqual([]);

    const badFormat = await runCli(['machine', 'show', 'seed', '--format', 'png']);
    expect(badFormat.code).toBe(EXIT.usage);
    expect(stderrProblems(badFormat.stderr)).toEqual([]);
  });
});

describe('statecraft machine check', () => {
  it('describes a valid machine on stdout and exits 0', async () => {
    const result = await runCli(['machine', 'check', LOGIN]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('utf8')).toBe(
      `${LOGIN}: ok: machine "login", 8 states (2 terminal), 10 events, 11 transitions\n`,
    );
  });

  it('lists every problem of an invalid machine, one located line each, and exits 2', async () => {
    const path = join(dir(), 'broken.json');
    await writeFile(
      path,
      JSON.stringify({
        name: 'broken',
        initial: 'A',
        events: ['go', 'stop', 'go'],
        states: { A: { go: 'B' }, B: {} },
      }),
    );
    const duplicate = await runCli(['machine', 'check', path]);
    expect(duplicate.code).toBe(EXIT.usage);
    expect(linesOf(duplicate.stderr)).toEqual([`statecraft: ${path}: events[2]: duplicate event "go"`]);

    await writeFile(
      path,
      JSON.stringify({
        name: 'broken',
        initial: 'A',
        events: ['go', 'stop'],
        states: {
          A: { go: 'Q', stop: { to: 'B', p: 0.5 } },
          B: { go: { to: 'A', p: 0.5 }, stop: { to: 'T', p: 0.4 } },
          T: {},
          Lost: { go: 'T' },
        },
      }),
    );
    const result = await runCli(['machine', 'check', path]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stdout.length).toBe(0);
    expect(linesOf(result.stderr)).toEqual([
      `statecraft: ${path}: states.A.go: unknown target state "Q"`,
      `statecraft: ${path}: states.A.go: has no probability while other transitions of the state do: give all or none`,
      `statecraft: ${path}: states.B: probabilities sum to 0.9, not 1`,
      `statecraft: ${path}: states.Lost: unreachable from the initial state "A"`,
    ]);
  });

  it('prints the warning of a machine with no reachable terminal state, and exits 0', async () => {
    const path = join(dir(), 'endless.json');
    await writeFile(
      path,
      JSON.stringify({
        name: 'endless',
        initial: 'A',
        events: ['ping'],
        states: { A: { ping: 'B' }, B: { ping: 'A' } },
      }),
    );
    const result = await runCli(['machine', 'check', path]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(linesOf(result.stderr)).toEqual([
      `statecraft: warning: ${path}: states: no terminal state is reachable from "A": addresses never release their state`,
    ]);
    expect(result.stdout.toString('utf8')).toMatch(
      /: ok: machine "endless", 2 states \(0 terminal\), .*, 1 warning\n$/,
    );

    // run warns too, and runs.
    const run = await runCli(['run', '--events', '1000', '--machine', path, '--workers', '1']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stderr).toContain(`statecraft: warning: ${path}: states: no terminal state is reachable`);
    const quiet = await runCli(['run', '--events', '1000', '--machine', path, '--workers', '1', '--quiet']);
    expect(quiet.stderr).toBe('');
  });

  it('exits 2 for a file that is missing, empty or not JSON, and for a missing argument', async () => {
    const empty = join(dir(), 'empty.json');
    await writeFile(empty, '');
    for (const [path, message] of [
      [join(dir(), 'missing.json'), 'no such file'],
      [empty, 'the file is empty'],
    ] as const) {
      const result = await runCli(['machine', 'check', path]);
      expect(result.code).toBe(EXIT.usage);
      expect(linesOf(result.stderr)).toEqual([`statecraft: ${path}: ${message}`]);
    }
    for (const args of [['machine', 'check'], ['machine'], ['machine', 'draw', 'seed']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(EXIT.usage);
      expect(stderrProblems(result.stderr)).toEqual([]);
    }
  });
});
