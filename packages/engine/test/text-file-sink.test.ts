import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputColumns } from '../src/batch.js';
import { SinkError } from '../src/errors.js';
import { TextFileSink } from '../src/sinks/text-file-sink.js';
import { columns, freshDirs } from './helpers.js';

const freshDir = freshDirs('text-file-sink');
const freshPath = (name = 'alerts.csv') => join(freshDir(), name);

/** Non-ASCII on purpose: positions are bytes, not UTF-16 code units. */
const format = (c: OutputColumns) => {
  let text = '';
  for (let i = 0; i < c.count; i++) text += `${c.keys[i]},é${c.codes[i]}\n`;
  return text;
};
const HEADER = 'key,code\n';
const bytes = (text: string) => Buffer.byteLength(text);

describe('TextFileSink', () => {
  it('writes the header and formatted outputs; position counts bytes, buffered ones included', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    expect(sink.position()).toBe(bytes(HEADER));
    await sink.write(0, columns([0, 1], [10, 11], [1, 2]));
    expect(sink.position()).toBe(bytes(`${HEADER}10,é1\n11,é2\n`));
    // Nothing is flushed before a commit (or 1 MiB) — the file may still be empty.
    expect(statSync(path).size).toBeLessThanOrEqual(sink.position());
    await sink.write(1, columns([0], [12], [3]));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}10,é1\n11,é2\n12,é3\n`);
  });

  it('commit makes everything written so far durable in the file', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    await sink.write(0, columns([0], [1], [1]));
    const position = sink.position();
    await sink.commit(position);
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}1,é1\n`);
    expect(statSync(path).size).toBe(position);
    await sink.close();
  });

  it('rewind drops everything after a position, flushed or buffered, and writing continues there', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    await sink.write(0, columns([0], [1], [1]));
    await sink.commit(sink.position());
    const checkpoint = sink.position();
    await sink.write(1, columns([0], [2], [2]));
    await sink.commit(sink.position()); // flushed past the checkpoint
    await sink.write(2, columns([0], [3], [3])); // and buffered past it
    await sink.rewind(checkpoint);
    expect(sink.position()).toBe(checkpoint);
    expect(statSync(path).size).toBe(checkpoint);
    await sink.write(1, columns([0], [4], [4]));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}1,é1\n4,é4\n`);
  });

  it('position stays exact while a commit is writing, with more output buffered meanwhile', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    const keys = Array.from({ length: 50_000 }, (_, i) => i);
    await sink.write(0, columns(keys, keys, new Array(keys.length).fill(1)));
    const beforeCommit = sink.position();
    const commit = sink.commit(beforeCommit);
    let committed = false;
    void commit.then(() => {
      committed = true;
    });
    const seen: number[] = [];
    let chunk = 1;
    while (!committed) {
      expect(sink.position()).toBe(seen.length === 0 ? beforeCommit : seen.at(-1));
      await sink.write(chunk++, columns([0], [7], [7]));
      seen.push(sink.position());
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(seen.length).toBeGreaterThan(0);
    await sink.close();
    expect(statSync(path).size).toBe(seen.at(-1));
  });

  it('refuses to rewind past what was written, rather than fill the gap with zero bytes', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    await sink.write(0, columns([0], [1], [1]));
    const written = sink.position();
    await sink.commit(written);
    await expect(sink.rewind(written + 10)).rejects.toThrow(
      `cannot rewind ${path} to byte ${written + 10}: only ${written} bytes were written`,
    );
    expect(statSync(path).size).toBe(written);
    await sink.write(1, columns([0], [2], [2]));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}1,é1\n2,é2\n`);
  });

  it('rewind to 0 starts the file again with its header', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    await sink.write(0, columns([0], [1], [1]));
    await sink.commit(sink.position());
    await sink.rewind(0);
    expect(sink.position()).toBe(bytes(HEADER));
    await sink.write(0, columns([0], [5], [5]));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}5,é5\n`);
  });

  it('more than 1 MiB of output is flushed on its own, and rewinding inside flushed output works', async () => {
    const path = freshPath();
    const sink = await TextFileSink.open(path, { format });
    const keys = Array.from({ length: 100_000 }, (_, i) => i);
    const expected: string[] = [];
    for (let chunk = 0; chunk < 3; chunk++) {
      await sink.write(chunk, columns(keys, keys, new Array(keys.length).fill(chunk)));
      expected.push(keys.map((k) => `${k},é${chunk}\n`).join(''));
    }
    const total = bytes(expected.join(''));
    expect(total).toBeGreaterThan(1 << 20);
    expect(sink.position()).toBe(total);
    expect(statSync(path).size).toBeGreaterThan(0); // flushed without a commit
    const afterFirst = bytes(expected[0]!);
    await sink.rewind(afterFirst);
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(expected[0]);
  });

  it('resumeAt continues a file after its committed bytes, without a second header, cutting the rest', async () => {
    const path = freshPath();
    writeFileSync(path, `${HEADER}1,é1\n2,é2\nhalf a li`);
    const committed = bytes(`${HEADER}1,é1\n`);
    const sink = await TextFileSink.open(path, { format, header: HEADER, resumeAt: committed });
    expect(sink.position()).toBe(committed);
    expect(statSync(path).size).toBe(committed);
    await sink.write(1, columns([0], [3], [3]));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}1,é1\n3,é3\n`);
  });

  it('resumeAt equal to the file size keeps the whole file', async () => {
    const path = freshPath();
    writeFileSync(path, `${HEADER}1,é1\n`);
    const sink = await TextFileSink.open(path, {
      format,
      header: HEADER,
      resumeAt: bytes(`${HEADER}1,é1\n`),
    });
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}1,é1\n`);
  });

  it('without resumeAt an existing file is truncated and starts with the header', async () => {
    const path = freshPath();
    writeFileSync(path, 'garbage from an earlier run\n'.repeat(100));
    const sink = await TextFileSink.open(path, { format, header: HEADER });
    await sink.write(0, columns([0], [9], [9]));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${HEADER}9,é9\n`);
  });

  it('refuses to resume a file shorter than the committed position, leaving it untouched', async () => {
    const path = freshPath();
    writeFileSync(path, 'short');
    const open = TextFileSink.open(path, { format, resumeAt: 100 });
    await expect(open).rejects.toBeInstanceOf(SinkError);
    await expect(open).rejects.toThrow(
      `${path} has 5 bytes but the checkpoint committed 100: it is not this job's output`,
    );
    expect(readFileSync(path, 'utf8')).toBe('short');
  });

  it('refuses to resume a file that does not exist', async () => {
    const path = freshPath('missing.csv');
    await expect(TextFileSink.open(path, { format, resumeAt: 10 })).rejects.toThrow(
      `${path} does not exist, but the checkpoint committed 10 bytes of it`,
    );
  });

  it('a file it cannot create: SinkError naming it', async () => {
    const path = join(freshPath('dir'), 'nested', 'alerts.csv');
    await expect(TextFileSink.open(path, { format })).rejects.toThrow(
      `cannot write ${path}: no such directory`,
    );
  });
});
