import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileMachine,
  FLINK_MACHINE,
  formatProbability,
  listTransitions,
  SEED_MACHINE,
  toMermaid,
} from '../src/index.js';

const README = resolve(dirname(fileURLToPath(import.meta.url)), '../../../README.md');

describe('listTransitions', () => {
  it("lists the seed machine's transitions with the generator's probabilities", () => {
    const rows = listTransitions(compileMachine(SEED_MACHINE)).map((t) => [t.from, t.event, t.to, t.p]);
    expect(rows).toEqual([
      ['Initial', 'a', 'W', 0.6],
      ['Initial', 'c', 'X', expect.closeTo(0.4, 12)],
      ['W', 'b', 'Y', 1],
      ['X', 'b', 'Y', 0.2],
      ['X', 'd', 'Z', expect.closeTo(0.8, 12)],
      ['Y', 'e', 'Z', 1],
      ['Z', 'f', 'Z', 0.3],
      ['Z', 'g', 'Terminal', expect.closeTo(0.7, 12)],
    ]);
  });

  it('gives bare transitions equal shares', () => {
    const machine = compileMachine({
      name: 'three',
      initial: 'A',
      events: ['x', 'y', 'z'],
      states: { A: { x: 'T', y: 'T', z: 'A' }, T: {} },
    });
    expect(listTransitions(machine).map((t) => t.p)).toEqual([
      expect.closeTo(1 / 3, 12),
      expect.closeTo(1 / 3, 12),
      expect.closeTo(1 / 3, 12),
    ]);
  });
});

describe('formatProbability', () => {
  it.each([
    [1, '1.0'],
    [0.6, '0.6'],
    [0.4000000000000001, '0.4'],
    [0.25, '0.25'],
    [1 / 3, '0.333'],
    [0.9999999, '1.0'],
  ])('writes %d as %s', (p, text) => {
    expect(formatProbability(p)).toBe(text);
  });
});

describe('toMermaid', () => {
  it('draws the seed machine exactly as the README shows it', () => {
    const mermaid = toMermaid(compileMachine(SEED_MACHINE));
    expect(mermaid).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> Initial',
        '  Initial --> W: a (0.6)',
        '  Initial --> X: c (0.4)',
        '  W --> Y: b (1.0)',
        '  X --> Y: b (0.2)',
        '  X --> Z: d (0.8)',
        '  Y --> Z: e (1.0)',
        '  Z --> Z: f (0.3)',
        '  Z --> Terminal: g (0.7)',
        '  Terminal --> [*]',
        '',
      ].join('\n'),
    );
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain(`\`\`\`mermaid\n${mermaid}\`\`\``);
  });

  it('draws the flink machine without the Z loop', () => {
    const mermaid = toMermaid(compileMachine(FLINK_MACHINE));
    expect(mermaid).not.toContain('Z --> Z');
    expect(mermaid).toContain('  Z --> Terminal: g (1.0)\n');
  });

  it('aliases names Mermaid would not read as plain ids, and escapes label characters', () => {
    const machine = compileMachine({
      name: 'odd',
      initial: 'start-here',
      events: ['go', 'ns::ev', 'x#1'],
      states: {
        'start-here': { go: 'state', 'ns::ev': 'a.b' },
        state: { 'x#1': 'End' },
        'a.b': { go: 's0' },
        s0: { go: 'End' },
        End: {},
      },
    });
    expect(toMermaid(machine)).toBe(
      [
        'stateDiagram-v2',
        '  state "start-here" as s0',
        '  state "state" as s1',
        '  state "a.b" as s2',
        '  state "s0" as s3',
        '  state "End" as s4',
        '  [*] --> s0',
        '  s0 --> s1: go (0.5)',
        '  s0 --> s2: ns#58;#58;ev (0.5)',
        '  s1 --> s4: x#35;1 (1.0)',
        '  s2 --> s3: go (1.0)',
        '  s3 --> s4: go (1.0)',
        '  s4 --> [*]',
        '',
      ].join('\n'),
    );
  });

  it('marks every terminal state as a way out', () => {
    const machine = compileMachine({
      name: 'two-ends',
      initial: 'A',
      events: ['ok', 'fail'],
      states: { A: { ok: 'Done', fail: 'Failed' }, Done: {}, Failed: {} },
    });
    const lines = toMermaid(machine).split('\n');
    expect(lines.filter((l) => l.endsWith('--> [*]'))).toEqual(['  Done --> [*]', '  Failed --> [*]']);
  });
});
