import { type CompiledMachine, formatProbability, listTransitions } from '@statecraft/fsm';
import { createMultigraph, type DagreNode, runLayout } from './dagre-graph.js';

/** Diagram text is monospace, so a label's width follows from its length. */
export const FONT_SIZE = 13;
export const CHAR_WIDTH = FONT_SIZE * 0.6;
const STATE_HEIGHT = 34;
const STATE_PADDING = 14;
const START_SIZE = 16;
const LABEL_HEIGHT = FONT_SIZE + 4;
const MARGIN = 16;

export interface Point {
  x: number;
  y: number;
}

/** A box centred on (x, y): a state, or the start dot. */
export interface PlacedNode {
  id: string;
  kind: 'start' | 'state' | 'terminal';
  /** The state name; empty for the start dot. */
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** `event (p)`; empty for the arrow from the start dot. */
  label: string;
  event: string;
  /** The route from the source's border to the target's border. */
  points: Point[];
  /** The label's centre. */
  labelX: number;
  labelY: number;
}

export interface MachineLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const START = '[*]';

/**
 * Lays the machine out top to bottom with dagre (a layered graph layout: ranks, crossing
 * reduction, coordinates, edge routes around the boxes and label positions).
 */
export function layoutMachine(machine: CompiledMachine): MachineLayout {
  const g = createMultigraph();
  g.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 44, edgesep: 14, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode(START, { width: START_SIZE, height: START_SIZE });
  machine.stateNames.forEach((name) => {
    g.setNode(stateId(name), { width: textWidth(name) + 2 * STATE_PADDING, height: STATE_HEIGHT });
  });
  const edgeKey = (from: string, event: string) => `${from} ${event}`;
  g.setEdge(START, stateId(machine.stateNames[machine.initial]!), { width: 0, height: 0 }, 'start');
  const transitions = listTransitions(machine);
  for (const t of transitions) {
    const label = `${t.event} (${formatProbability(t.p)})`;
    g.setEdge(
      stateId(t.from),
      stateId(t.to),
      { label, width: textWidth(label), height: LABEL_HEIGHT, labelpos: 'c' },
      edgeKey(t.from, t.event),
    );
  }

  runLayout(g);

  const nodes: PlacedNode[] = g.nodes().map((id) => {
    const node = g.node(id);
    const name = id === START ? '' : nameOf(id);
    const kind =
      id === START ? 'start' : machine.terminal[machine.stateNames.indexOf(name)] ? 'terminal' : 'state';
    return { id, kind, name, x: node.x!, y: node.y!, width: node.width, height: node.height };
  });
  const edges: PlacedEdge[] = [];
  const start = g.edge(START, stateId(machine.stateNames[machine.initial]!), 'start');
  edges.push({
    from: START,
    to: machine.stateNames[machine.initial]!,
    label: '',
    event: '',
    points: start.points ?? [],
    labelX: 0,
    labelY: 0,
  });
  for (const t of transitions) {
    const edge = g.edge(stateId(t.from), stateId(t.to), edgeKey(t.from, t.event));
    const labelX = edge.x!;
    const labelY = edge.y!;
    edges.push({
      from: t.from,
      to: t.to,
      label: edge.label ?? '',
      event: t.event,
      points:
        t.from === t.to
          ? loopPoints(g.node(stateId(t.from)), labelX - (edge.width ?? 0) / 2)
          : (edge.points ?? []),
      labelX,
      labelY,
    });
  }
  const graph = g.graph();
  return { width: graph.width!, height: graph.height!, nodes, edges };
}

/**
 * A self-transition's route. dagre reserves a slot beside the state for the loop's label (its
 * centre is the edge's x, y) but gives no usable route for it, so the loop is drawn in the gap
 * between the state's right side and that slot: out from the upper right, back into the lower right.
 */
function loopPoints(node: DagreNode, slotLeft: number): Point[] {
  const right = node.x! + node.width / 2;
  const apex = right + Math.max(12, (slotLeft - right) * 0.8);
  const y = node.y!;
  const h = node.height / 2;
  return [
    { x: right, y: y - h / 2 },
    { x: apex, y: y - h },
    { x: apex, y: y + h },
    { x: right, y: y + h / 2 },
  ];
}

export function textWidth(text: string): number {
  return Math.ceil(text.length * CHAR_WIDTH);
}

/** Node ids carry a prefix so that no state name can collide with the start node. */
const stateId = (name: string) => `state:${name}`;
const nameOf = (id: string) => id.slice('state:'.length);
