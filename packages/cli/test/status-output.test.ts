import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, EXIT, linesOf, parseSummary, startCli } from './helpers.js';
import { alertRound, waitFor, watch } from './support/live-run.js';
import { replay } from './support/terminal.js';

beforeAll(() => {
  assertBuilt();
});

const ESC = '\x1b';
const count = (text: string, part: string) => text.split(part).length - 1;

describe('on a terminal (a real pseudo-terminal, through script)', () => {
  it('redraws the status area in place about twice a second, and ends with the summary table', async () => {
    // A run far too long to finish: it is interrupted (Ctrl-C typed on the terminal) once the
    // area has been drawn a few times with events flowing.
    const command = [
      'stty cols 160 rows 50;',
      `exec ${process.execPath} ${BIN} run --events 2000000000 --error-rate 0.001 --workers 2 --output /dev/null`,
    ].join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const run = watch(child);
    try {
      await waitFor('three frames of the status area with an ETA', () => {
        const out = run.stdout();
        return count(out, 'statecraft run · generator') >= 3 && /ETA \d/.test(out);
      });
      child.stdin?.write('\x03');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const code = await run.exited;
      clearTimeout(timeout);
      expect(code, run.stdout()).toBe(EXIT.interrupted);
    } finally {
      child.kill('SIGKILL');
    }
    const out = run.stdout();
    // In place: each frame after the first moves the cursor up over the previous one and erases it.
    expect(count(out, `\r${ESC}[7A${ESC}[J`)).toBeGreaterThanOrEqual(2);
    expect(out.startsWith(`${ESC}[?25l`)).toBe(true);
    expect(out).toContain(`${ESC}[?25h`);
    const frame = out.slice(out.indexOf('statecraft run · generator'));
    expect(frame).toMatch(/progress {2}[█░]{28} +\d+% {2}[\d,]+ \/ 2,000,000,000 events/);
    expect(frame).toMatch(/rate {6}[\d.]+ [kMG ]*events\/s now · [\d.]+ [kMG ]*events\/s average/);
    expect(frame).toMatch(/busy {6}0 [█░]{8} +\d+% {2}1 [█░]{8} +\d+%/);
    expect(frame).toMatch(/queue {5}\d+ chunks in flight · key-group skew \d+\.\d\d/);
    expect(frame).toMatch(/recovery {2}0 checkpoints · 0 restarts/);

    // What the terminal shows at the end: the summary table, and nothing left of the area.
    const screen = replay(out.replaceAll('\r\n', '\n'));
    const start = screen.findIndex((line) => line.startsWith('interrupted: '));
    expect(start, screen.join('\n')).toBeGreaterThanOrEqual(0);
    const summary = screen.slice(start);
    expect(summary.slice(1).every((line) => /^ {2}\w+ +\S/.test(line))).toBe(true);
    expect(summary.some((line) => /^ {2}keyGroupSkew +\d/.test(line))).toBe(true);
    expect(summary.some((line) => /^ {2}workerBusy +\d+% \d+%$/.test(line))).toBe(true);
    expect(screen.some((line) => /^(progress|busy|queue|recovery) {2}/.test(line))).toBe(false);
  });

  it('falls back to whole progress lines when the alerts go to the same terminal', async () => {
    const command = [
      'stty cols 160 rows 50;',
      `exec ${process.execPath} ${BIN} run --events 300000 --error-rate 0.01 --workers 1 --progress-interval 0.1`,
    ].join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const run = watch(child);
    const timeout = setTimeout(() => child.kill('SIGKILL'), 40_000);
    expect(await run.exited).toBe(EXIT.ok);
    clearTimeout(timeout);
    const lines = run.stdout().replaceAll('\r\n', '\n').split('\n');
    expect(run.stdout()).not.toContain(ESC);
    expect(lines.filter((line) => /^ALERT \S+ : \w+ -> [a-g]$/.test(line)).length).toBeGreaterThan(100);
    expect(parseSummary(run.stdout())?.status).toBe('done');
  });
});

/** Feeds a live input in two rounds, the second once the first shows in `progressed`. */
async function feedTwoRounds(
  child: ReturnType<typeof startCli>,
  progressed: (events: number) => Promise<unknown>,
): Promise<number> {
  child.stdin!.write(alertRound(1, 500));
  await progressed(1000);
  child.stdin!.write(alertRound(2, 500));
  await progressed(2000);
  child.stdin!.end();
  return 2000;
}

describe('when stderr is not a terminal', () => {
  it('prints plain progress lines every --progress-interval, then the summary', async () => {
    const child = startCli(['run', '--input', '-', '--workers', '1', '--progress-interval', '0.2']);
    const run = watch(child);
    const progressLines = () =>
      linesOf(run.stderr()).filter((line) => line.startsWith('statecraft: progress'));
    const events = await feedTwoRounds(child, (n) =>
      waitFor(`a progress line with ${n} events`, () =>
        progressLines().some((line) => line.includes(`, ${n.toLocaleString('en-US')} events,`)),
      ),
    );
    expect(await run.exited).toBe(EXIT.ok);
    const stderr = run.stderr();
    expect(stderr).not.toContain(ESC);
    const lines = linesOf(stderr);
    const summaryAt = lines.findIndex((line) => line.startsWith('done: '));
    expect(summaryAt).toBeGreaterThanOrEqual(2);
    for (const line of lines.slice(0, summaryAt)) {
      expect(line).toMatch(
        /^statecraft: progress [\d.]+ s: [\d.]+ [KMG]?i?B read, [\d,.]+ [kMG ]*events\/s \(average [\d,.]+ ?[kMG]?\), [\d,]+ events, [\d,]+ alerts, 0 rejected, busy \d+%, queue \d+, skew \d+\.\d\d, (live [\d,]+, )?checkpoints 0, restarts 0$/,
      );
    }
    const counts = lines
      .slice(0, summaryAt)
      .map((line) => Number(/, ([\d,]+) events,/.exec(line)![1]!.replaceAll(',', '')));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(parseSummary(stderr)).toEqual({ status: 'done', events, alerts: events / 2, rejected: 0 });
  });

  it('--log-format json: progress records, then the summary as one record with the stats', async () => {
    const child = startCli([
      'run',
      ...['--input', '-', '--workers', '2', '--progress-interval', '0.2', '--log-format', 'json'],
    ]);
    const run = watch(child);
    const records = () =>
      linesOf(run.stderr()).map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string });
    const events = await feedTwoRounds(child, (n) =>
      waitFor(`a progress record with ${n} events`, () =>
        records().some((r) => r.msg.startsWith('progress') && r.events === n),
      ),
    );
    expect(await run.exited).toBe(EXIT.ok);
    const all = records();
    const progress = all.filter((r) => r.msg.startsWith('progress'));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const record of progress) {
      expect(record).toMatchObject({
        level: 'info',
        alerts: expect.any(Number),
        inFlightChunks: expect.any(Number),
      });
      expect(record.workerBusy).toHaveLength(2);
    }
    const last = all.at(-1)!;
    expect(last.msg).toMatch(/^done: 2,000 events, 1,000 alerts/);
    expect(last.stats).toMatchObject({
      events,
      alerts: events / 2,
      workers: 2,
      keyGroupSkew: expect.any(Number),
    });
  });

  it('--log-format json: errors too are JSON records', async () => {
    const child = startCli(['run', '--workers', '-1', '--log-format', 'json']);
    const run = watch(child);
    expect(await run.exited).toBe(EXIT.usage);
    const lines = linesOf(run.stderr());
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      msg: expect.stringMatching(/--workers must be/),
    });
  });

  it('--quiet prints nothing on stderr however long the run', async () => {
    const child = startCli([
      'run',
      '--input',
      '-',
      '--workers',
      '1',
      '--progress-interval',
      '0.05',
      '--quiet',
    ]);
    const run = watch(child);
    for (let round = 1; round <= 3; round++) {
      child.stdin!.write(alertRound(round, 10));
      await waitFor(`the alerts of round ${round}`, () =>
        run.stdout().includes(`ALERT 10.${round}.0.9 : W -> c`),
      );
      await sleep(200); // several progress intervals pass
    }
    child.stdin!.end();
    expect(await run.exited).toBe(EXIT.ok);
    expect(run.stderr()).toBe('');
  });
});
