import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, startCli } from './helpers.js';

/** Resolves once `predicate` holds for the text seen so far on the stream; rejects after `ms`. */
function waitFor(
  stream: NodeJS.ReadableStream,
  predicate: (text: string) => boolean,
  ms: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out; saw ${JSON.stringify(text)}`)), ms);
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (predicate(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

describe('a live pipe on stdin (`tail -f log | statecraft run --input -`)', () => {
  it('writes alerts as records arrive, and SIGINT on an idle pipe drains, flushes and exits 130', async () => {
    assertBuilt();
    for (const workers of ['0', '2']) {
      const child = startCli(['run', '--input', '-', '--workers', workers]);
      const stderr: Buffer[] = [];
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      const exited = once(child, 'close');
      try {
        // A few records, far less than one 4 MiB chunk, and the pipe stays open.
        child.stdin?.write('1.2.3.4,a\n1.2.3.4,c\n5.6.7.8,b\n');
        const stdout = await waitFor(child.stdout!, (text) => text.includes('ALERT 5.6.7.8'), 20_000);
        expect(stdout).toBe('ALERT 1.2.3.4 : W -> c\nALERT 5.6.7.8 : Initial -> b\n');
        child.kill('SIGINT');
        const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
        const [code] = (await exited) as [number | null];
        clearTimeout(timeout);
        expect(code).toBe(EXIT.interrupted);
        expect(Buffer.concat(stderr).toString('utf8')).toMatch(
          // Progress lines may come first (every 2 s when stderr is not a terminal).
          /^interrupted: 3 events, 2 alerts, 0 rejected/m,
        );
      } finally {
        child.kill('SIGKILL');
      }
    }
  });
});
