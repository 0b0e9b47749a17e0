import { FONT_SIZE, type MachineLayout, type PlacedEdge, type PlacedNode, type Point } from './layout.js';

const FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const INK = '#1f2933';
const STATE_FILL = '#eef2ff';
const STATE_STROKE = '#4c51bf';
const EDGE = '#52606d';

/**
 * An SVG of a laid-out machine: every position comes from the layout; this only draws. States are
 * rounded boxes (terminal ones with a double border), the start is a dot, transitions are smoothed
 * routes with arrowheads and their `event (p)` labels.
 */
export function renderSvg(layout: MachineLayout, title: string): string {
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">' +
      `<path d="M 0 0 L 10 5 L 0 10 z" fill="${EDGE}"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...layout.edges.map(renderEdge),
    ...layout.nodes.map(renderNode),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function renderNode(node: PlacedNode): string {
  if (node.kind === 'start') {
    return `<g class="start"><circle cx="${n(node.x)}" cy="${n(node.y)}" r="${n(node.width / 2)}" fill="${INK}"/></g>`;
  }
  const x = node.x - node.width / 2;
  const y = node.y - node.height / 2;
  const box = (inset: number) =>
    `<rect x="${n(x + inset)}" y="${n(y + inset)}" width="${n(node.width - 2 * inset)}" height="${n(node.height - 2 * inset)}" rx="${n(10 - inset)}" fill="${inset === 0 ? STATE_FILL : 'none'}" stroke="${STATE_STROKE}" stroke-width="1.5"/>`;
  return [
    `<g class="${node.kind}" data-state="${escapeXml(node.name)}">`,
    box(0),
    node.kind === 'terminal' ? box(3) : '',
    `<text x="${n(node.x)}" y="${n(node.y)}" text-anchor="middle" dominant-baseline="central" fill="${INK}">${escapeXml(node.name)}</text>`,
    '</g>',
  ].join('');
}

function renderEdge(edge: PlacedEdge): string {
  const attributes =
    edge.event === ''
      ? 'class="start-edge"'
      : `class="transition" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" data-event="${escapeXml(edge.event)}"`;
  const path = `<path d="${smoothPath(edge.points)}" fill="none" stroke="${EDGE}" stroke-width="1.3" marker-end="url(#arrow)"/>`;
  const label =
    edge.label === ''
      ? ''
      : `<text x="${n(edge.labelX)}" y="${n(edge.labelY)}" text-anchor="middle" dominant-baseline="central" fill="${INK}" paint-order="stroke" stroke="#ffffff" stroke-width="3">${escapeXml(edge.label)}</text>`;
  return `<g ${attributes}>${path}${label}</g>`;
}

/** A route through the layout's points, corners rounded with quadratic curves through the midpoints. */
export function smoothPath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  const first = points[0]!;
  let d = `M ${n(first.x)} ${n(first.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const next = points[i + 1]!;
    d += ` Q ${n(p.x)} ${n(p.y)} ${n((p.x + next.x) / 2)} ${n((p.y + next.y) / 2)}`;
  }
  const last = points[points.length - 1]!;
  return points.length > 1 ? `${d} L ${n(last.x)} ${n(last.y)}` : d;
}

const n = (value: number) => String(Math.round(value * 10) / 10);

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
