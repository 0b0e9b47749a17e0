import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OutputColumns } from '../src/batch.js';
import { TextStreamSink } from '../src/sinks/text-stream-sink.js';
import { columns } from './helpers.js';

const format = (c: OutputColumns) => {
  let text = '';
  for (let i = 0; i < c.count; i++) text += `${c.keys[i]},${c.codes[i]}\n`;
  return text;
};

function memoryStream() {
  const stream = Object.assign(
    new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, callback) {
        stream.text += chunk.toString();
        callback();
      },
    }),
    { text: '' },
  );
  return stream;
}

describe('TextStreamSink resumed from a checkpoint (stdout after --resume)', () => {
  it('continues without a second header, counting positions on from the committed bytes', async () => {
    const stream = memoryStream();
    const sink = new TextStreamSink(stream, { format, header: 'key,code\n', resumeAt: 1234 });
    expect(sink.position()).toBe(1234);
    await sink.write(7, columns([0], [10], [1]));
    await sink.close();
    expect(stream.text).toBe('10,1\n');
    expect(sink.position()).toBe(1234 + 5);
  });

  it('resumeAt 0 is a fresh start: the header comes first', async () => {
    const stream = memoryStream();
    const sink = new TextStreamSink(stream, { format, header: 'key,code\n', resumeAt: 0 });
    await sink.write(0, columns([0], [10], [1]));
    await sink.close();
    expect(stream.text).toBe('key,code\n10,1\n');
  });
});
