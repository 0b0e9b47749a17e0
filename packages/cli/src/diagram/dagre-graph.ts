import { Graph, layout } from '@dagrejs/dagre';

// @dagrejs/dagre's declarations import their own files without extensions, which NodeNext
// resolution cannot follow, so its exports type as `any`. This is the part used here, typed.

export interface DagrePoint {
  x: number;
  y: number;
}

export interface DagreNode {
  width: number;
  height: number;
  /** The centre, set by the layout. */
  x?: number;
  y?: number;
}

export interface DagreEdge {
  label?: string;
  width?: number;
  height?: number;
  labelpos?: 'l' | 'c' | 'r';
  /** The route, set by the layout. */
  points?: DagrePoint[];
  /** The label's centre, set by the layout. */
  x?: number;
  y?: number;
}

export interface DagreGraphLabel {
  rankdir?: 'TB' | 'BT' | 'LR' | 'RL';
  nodesep?: number;
  ranksep?: number;
  edgesep?: number;
  marginx?: number;
  marginy?: number;
  /** The drawing's size, set by the layout. */
  width?: number;
  height?: number;
}

export interface DagreGraph {
  setGraph(label: DagreGraphLabel): void;
  graph(): DagreGraphLabel;
  setDefaultEdgeLabel(make: () => DagreEdge): void;
  setNode(id: string, label: DagreNode): void;
  node(id: string): DagreNode;
  nodes(): string[];
  setEdge(from: string, to: string, label: DagreEdge, name: string): void;
  edge(from: string, to: string, name: string): DagreEdge;
}

/** A graph that may hold several edges between two nodes (one per event), each with a name. */
export function createMultigraph(): DagreGraph {
  return new Graph({ multigraph: true }) as DagreGraph;
}

/** Runs dagre's layered layout, which sets the positions, routes and size on the graph. */
export function runLayout(graph: DagreGraph): void {
  (layout as (graph: DagreGraph) => void)(graph);
}
