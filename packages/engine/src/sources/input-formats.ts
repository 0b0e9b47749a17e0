import { CsvParser, maxEventsIn } from './csv-parser.js';
import { FLINK_RECORD_BYTES, FlinkBinaryParser, maxFlinkBinaryEventsIn } from './flink-binary-parser.js';
import { maxNdjsonEventsIn, NdjsonParser } from './ndjson-parser.js';
import type { InputFormat, RecordFormat } from './record-format.js';
import { CSV_REJECT_REASONS } from './reject.js';

const FORMATS: Readonly<Record<InputFormat, RecordFormat>> = {
  csv: {
    name: 'csv',
    framing: { kind: 'lines' },
    rejectReasons: CSV_REJECT_REASONS,
    maxEventsIn,
    createParser: (events, rejects) => new CsvParser(events, rejects),
  },
  ndjson: {
    name: 'ndjson',
    framing: { kind: 'lines' },
    rejectReasons: [
      'empty-line',
      'not-json',
      'not-an-object',
      'missing-field',
      'bad-address',
      'address-out-of-range',
      'unknown-event',
      'line-too-long',
    ],
    maxEventsIn: maxNdjsonEventsIn,
    createParser: (events, rejects) => new NdjsonParser(events, rejects),
  },
  'flink-binary': {
    name: 'flink-binary',
    framing: { kind: 'fixed', recordBytes: FLINK_RECORD_BYTES },
    rejectReasons: ['unknown-event', 'truncated-record'],
    maxEventsIn: maxFlinkBinaryEventsIn,
    createParser: (events, rejects) => new FlinkBinaryParser(events, rejects),
  },
};

export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'ndjson', 'flink-binary'];

export function isInputFormat(name: string): name is InputFormat {
  return Object.hasOwn(FORMATS, name);
}

/** The format called `name`. */
export function recordFormat(name: InputFormat): RecordFormat {
  const format = FORMATS[name];
  if (format === undefined) throw new Error(`unknown input format ${name}`);
  return format;
}

/** The format a file name implies: `.ndjson`/`.jsonl` NDJSON, `.bin` flink-binary, else CSV (`.gz` ignored). */
export function inputFormatOfPath(path: string): InputFormat {
  const name = path.endsWith('.gz') ? path.slice(0, -3) : path;
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.bin')) return 'flink-binary';
  return 'csv';
}
