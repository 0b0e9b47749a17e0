import type { TopLevelSpec } from 'vega-lite';
import { count } from '../status/format.js';
import { BASELINE_WORKERS } from './rows.js';
import type { SweepResults } from './sweep.js';

export const CHART_X_TITLE = 'partitions (key groups, log scale)';
export const CHART_Y_TITLE = 'M events/s (median)';

/**
 * chart.svg: throughput against partitions, one line per worker count, min–max as a vertical rule,
 * the Map baseline as a dashed horizontal rule. A Vega-Lite spec compiled to Vega and rendered
 * headless to SVG (vega and vega-lite are loaded only when a chart is drawn).
 */
export async function renderChart(results: SweepResults): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(chartSpec(results)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function chartSpec(results: SweepResults): TopLevelSpec {
  const { machine, sweep, rows } = results;
  const label = (workers: number) => (workers === 0 ? '0 (inline)' : String(workers));
  const points = rows.flatMap((row) =>
    row.workers === BASELINE_WORKERS
      ? []
      : [
          {
            workers: label(row.workers),
            partitions: row.partitions,
            median: row.eventsPerSecond / 1e6,
            min: row.min / 1e6,
            max: row.max / 1e6,
          },
        ],
  );
  const baseline = rows
    .filter((row) => row.workers === BASELINE_WORKERS)
    .map((row) => ({ median: row.eventsPerSecond / 1e6, label: `${BASELINE_WORKERS} (one thread)` }));
  const workerLabels = [
    ...new Set(rows.flatMap((row) => (row.workers === BASELINE_WORKERS ? [] : [row.workers]))),
  ]
    .sort((a, b) => a - b)
    .map(label);
  const x = {
    field: 'partitions',
    type: 'quantitative' as const,
    title: CHART_X_TITLE,
    scale: { type: 'log' as const, base: 2, padding: 16 },
    axis: { values: [...sweep.partitions], format: 'd' },
  };
  const y = { field: 'median', type: 'quantitative' as const, title: CHART_Y_TITLE };
  const color = {
    field: 'workers',
    type: 'nominal' as const,
    title: 'workers',
    scale: { domain: workerLabels },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Statecraft throughput: ${count(sweep.events)} events, median of ${sweep.repeat}`,
      subtitle: `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
    },
    width: 520,
    height: 300,
    layer: [
      {
        data: { values: points },
        mark: { type: 'rule', opacity: 0.5 },
        encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color },
      },
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: { x, y, color },
      },
      {
        data: { values: baseline },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#666' },
        encoding: { y },
      },
      {
        data: { values: baseline },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, x: 0, color: '#666' },
        encoding: { y, text: { field: 'label' } },
      },
    ],
  };
}
