import type { TakeoverReport } from '../checkpoint/partition-takeover.js';

/** One line for a partition taken over: where it resumes, and how its alert file was cut back. */
export function describeTakeover({
  partition,
  checkpoint,
  committedOffset,
  file,
  fellBack,
  localCopy,
}: TakeoverReport): string {
  const cut =
    file === undefined
      ? ''
      : file.from === file.to
        ? `; alerts file kept at ${file.to} bytes`
        : `; alerts file cut from ${file.from} to ${file.to} bytes`;
  if (checkpoint !== undefined) {
    const which = fellBack
      ? 'its previous checkpoint (the newest claims more of the alerts file than it holds)'
      : 'its checkpoint';
    const copy = localCopy === undefined ? '' : `; restored from its local copy ${localCopy}`;
    return `partition ${partition}: resuming from ${which} at offset ${checkpoint.offset} (${checkpoint.events} events, ${checkpoint.keyed.keys.length} live addresses, written by ${checkpoint.writer})${copy}${cut}`;
  }
  const from =
    committedOffset !== undefined && committedOffset >= 0
      ? `the group's offset ${committedOffset}`
      : 'its first offset';
  return `partition ${partition}: no checkpoint yet, reading from ${from}${cut}`;
}

/** The takeover as structured fields, for a JSON log line. */
export function takeoverFields({
  partition,
  checkpoint,
  file,
  localCopy,
}: TakeoverReport): Record<string, unknown> {
  return {
    partition,
    ...(localCopy === undefined ? {} : { localCopy }),
    offset: checkpoint?.offset ?? null,
    liveAddresses: checkpoint?.keyed.keys.length ?? 0,
    ...(file === undefined ? {} : { fileBytesBefore: file.from, fileBytesAfter: file.to }),
  };
}
