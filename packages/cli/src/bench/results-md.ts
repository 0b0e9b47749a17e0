import { count } from '../status/format.js';
import { formatMachine } from './machine-info.js';
import { BASELINE_WORKERS, type ResultRow } from './rows.js';
import type { SweepResults } from './sweep.js';

const millions = (n: number) => (n / 1e6).toFixed(2);
const ms = (n: number | null) => (n === null ? '–' : n.toFixed(1));

/** results.md: the rows as a markdown table, with the machine and how the runs were measured. */
export function resultsMarkdown(results: SweepResults): string {
  const { machine, sweep, rows } = results;
  const reference = sweep.baselineComparedTo;
  const lines = [
    `Machine: ${formatMachine(machine)}. ${count(sweep.events)} generated events per run, ` +
      `median of ${sweep.repeat} run${sweep.repeat === 1 ? '' : 's'} (min and max beside it); ` +
      `each run a fresh \`statecraft run\` process.`,
    '',
    '| workers | partitions | M events/s | min | max | p50 batch ms | p99 batch ms | peak RSS MiB | × inline |',
    '| ------: | ---------: | ---------: | --: | --: | -----------: | -----------: | -----------: | -------: |',
    ...rows.map(tableRow),
    '',
    `× inline: the row's median over that of \`--workers 0\` (the same job inline, no threads) with the ` +
      `same partitions. \`${BASELINE_WORKERS}\`: the same job written naively in one thread (a JS \`Map\` ` +
      `of live machines and one of states${reference === null ? '' : `), compared with workers 0, partitions ${reference.partitions}`}.`,
  ];
  return `${lines.join('\n')}\n`;
}

function tableRow(row: ResultRow): string {
  const cells = [
    String(row.workers),
    row.partitions === null ? '–' : String(row.partitions),
    millions(row.eventsPerSecond),
    millions(row.min),
    millions(row.max),
    ms(row.p50BatchMs),
    ms(row.p99BatchMs),
    String(Math.round(row.peakRssBytes / 2 ** 20)),
    row.ratioToInline === null ? '–' : `${row.ratioToInline.toFixed(2)}×`,
  ];
  return `| ${cells.join(' | ')} |`;
}
