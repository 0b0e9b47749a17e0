import type { ChunkRejects } from '../sources/parallel-source.js';
import type { RejectedRecord } from '../sources/reject.js';

/**
 * Turns chunks' rejected records, numbered within their chunk and delivered in chunk order, into
 * records numbered in the whole input, for the job's onRejected.
 */
export function numberRejectsInFile(
  onRejected: ((record: RejectedRecord) => void) | undefined,
): ((rejects: ChunkRejects) => void) | undefined {
  if (onRejected === undefined) return undefined;
  let linesBefore = 0;
  return ({ lines, records }) => {
    for (const record of records) {
      onRejected({ ...record, line: record.line > 0 ? linesBefore + record.line : 0 });
    }
    linesBefore += lines;
  };
}
