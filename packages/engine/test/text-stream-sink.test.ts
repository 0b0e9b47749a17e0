import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OutputColumns } from '../src/batch.js';
import { SinkError } from '../src/errors.js';
import { runJob } from '../src/runtime/job.js';
import { TextStreamSink } from '../src/sinks/text-stream-sink.js';
import { columns, fixture, randomEvents, toBatches } from './helpers.js';

const format = (c: OutputColumns) => {
  let text = '';
  for (let i = 0; i < c.count; i++) text += `${c.keys[i]},${c.codes[i]}\n`;
  return text;
};

/** A Writable that keeps what it was given; `hold` keeps each write's callback until release(). */
function memoryStream(options: { highWaterMark?: number; hold?: boolean } = {}) {
  const held: (() => void)[] = [];
  const stream = Object.assign(
    new Writable({
      highWaterMark: options.highWaterMark ?? 16 * 1024,
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, callback) {
        stream.text += chunk.toString();
        if (options.hold) held.push(() => callback());
        else callback();
      },
    }),
    { text: '' },
  );
  const release = () => {
    for (const done of held.splice(0)) done();
  };
  return { stream, release, held };
}

/** A Writable whose writes fail like a pipe whose reader went away. */
function brokenPipe(code = 'EPIPE', message = 'write EPIPE') {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error(message), { code }));
    },
  });
}

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('TextStreamSink', () => {
  it('writes the header once, before the formatted outputs, in write order', async () => {
    const { stream } = memoryStream();
    const sink = new TextStreamSink(stream, { format, header: 'key,code\n' });
    await sink.write(0, columns([0, 1], [10, 11], [1, 2]));
    await sink.write(3, columns([5], [12], [3]));
    await sink.close();
    expect(stream.text).toBe('key,code\n10,1\n11,2\n12,3\n');
    expect(stream.writableEnded).toBe(false); // end defaults to false (stdout stays open)
  });

  it('writes the header even when there were no outputs, and nothing without one', async () => {
    const withHeader = memoryStream();
    await new TextStreamSink(withHeader.stream, { format, header: 'h\n' }).close();
    expect(withHeader.stream.text).toBe('h\n');
    const without = memoryStream();
    const sink = new TextStreamSink(without.stream, { format });
    await sink.write(0, columns([]));
    await sink.close();
    expect(without.stream.text).toBe('');
  });

  it('ends the stream on close when asked to (files)', async () => {
    const { stream } = memoryStream();
    const sink = new TextStreamSink(stream, { format, end: true });
    await sink.write(0, columns([0], [1], [2]));
    await sink.close();
    expect(stream.writableFinished).toBe(true);
    expect(stream.text).toBe('1,2\n');
  });

  it('honours backpressure: a write that fills the stream waits for drain', async () => {
    const { stream, release, held } = memoryStream({ highWaterMark: 8, hold: true });
    const sink = new TextStreamSink(stream, { format });
    let done = false;
    const writing = sink.write(0, columns([0, 1, 2], [100, 200, 300], [1, 2, 3])).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.length).toBe(1); // the stream is busy with the write
    expect(stream.writableNeedDrain).toBe(true);
    expect(done).toBe(false); // so the sink has not returned
    release();
    await writing;
    expect(done).toBe(true);
    expect(stream.writableNeedDrain).toBe(false);
    expect(stream.text).toBe('100,1\n200,2\n300,3\n');
  });

  it('close waits for a pending drain', async () => {
    const { stream, release } = memoryStream({ highWaterMark: 4, hold: true });
    const sink = new TextStreamSink(stream, { format });
    stream.write('more than four bytes\n'); // someone else filled the stream
    let closed = false;
    const closing = sink.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(closed).toBe(true);
  });

  it('turns EPIPE into a one-line SinkError naming the output', async () => {
    const sink = new TextStreamSink(brokenPipe(), { format, name: 'stdout' });
    const error = await failureOf(async () => {
      for (let chunk = 0; chunk < 3; chunk++) await sink.write(chunk, columns([0], [1], [2]));
      await sink.close();
    });
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).code).toBe('SINK_FAILED');
    expect((error as SinkError).message).toBe('cannot write stdout: the reader closed the pipe');
    expect(((error as SinkError).cause as { code: string }).code).toBe('EPIPE');
  });

  it('names other write errors by their message', async () => {
    const sink = new TextStreamSink(brokenPipe('ENOSPC', 'no space left on device'), {
      format,
      name: 'out.txt',
    });
    const error = await failureOf(async () => {
      await sink.write(0, columns([0], [1], [2]));
      await sink.write(1, columns([0], [1], [2]));
    });
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).message).toBe('cannot write out.txt: no space left on device');
    expect((error as SinkError).message).not.toContain('\n');
  });

  it('reports an error that happens after the last write on close (file sink)', async () => {
    const sink = new TextStreamSink(brokenPipe(), { format, end: true });
    await sink.write(0, columns([0], [1], [2])).catch(() => undefined);
    const error = await failureOf(() => sink.close());
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).message).toBe('cannot write output: the reader closed the pipe');
  });

  it('fails a job writing to a closed pipe with the SinkError', async () => {
    const error = await failureOf(() =>
      runJob({
        source: toBatches(randomEvents(4, 5000, 50), 100),
        operator: { module: fixture('counter'), config: {} },
        workers: 0,
        partitions: 8,
        sink: new TextStreamSink(brokenPipe(), { format, name: 'stdout', header: 'key,code\n' }),
      }),
    );
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).message).toBe('cannot write stdout: the reader closed the pipe');
  });
});
