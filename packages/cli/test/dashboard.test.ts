import { existsSync } from 'node:fs';
import { PNG } from 'pngjs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT } from './helpers.js';
import { alertRound, metricsBase, startMetricsRun, waitFor } from './support/live-run.js';

/** Debian's chromium package (scripts/install-test-tools.sh installs it); CHROMIUM names another build. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let browser: Browser;
beforeAll(async () => {
  assertBuilt();
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run scripts/install-test-tools.sh (it installs Chromium with apt-get)`,
    );
  }
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container: no user namespaces for the sandbox; no GPU either.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});
afterAll(async () => {
  await browser?.close();
});

interface PageState {
  samples: { eventsPerSecond: number; alerts: number; busy: number[] }[];
  points: { throughput: number; alerts: number; workers: number };
  polls: number;
}

/** Pixels of a PNG that are neither white nor the near-white page background, and how many distinct colours. */
function inked(png: PNG): { inked: number; colours: number; blue: number } {
  let count = 0;
  let blue = 0;
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    colours.add((r << 16) | (g << 8) | b);
    if (r < 235 || g < 235 || b < 235) count++;
    // The throughput line (#2563eb) and its fill: clearly blue.
    if (b > 180 && b - r > 60 && b - g > 30) blue++;
  }
  return { inked: count, colours: colours.size, blue };
}

describe('the dashboard at / (headless Chromium)', () => {
  it('draws throughput, alerts and per-worker load from a running job', async () => {
    const { child, run } = startMetricsRun();
    // Feed the job a round of events every 100 ms for as long as the page is looked at.
    let round = 0;
    const feeder = setInterval(() => child.stdin!.write(alertRound(++round % 250, 400)), 100);
    try {
      const base = await waitFor('the metrics address on stderr', () => metricsBase(run.stderr()));
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await page.waitForFunction(
        () => {
          const state = (globalThis as unknown as { statecraft?: PageState }).statecraft;
          return (
            state !== undefined &&
            state.polls >= 3 &&
            state.points.throughput >= 3 &&
            state.samples.some((s) => s.alerts > 0 && s.eventsPerSecond > 0)
          );
        },
        { timeout: 40_000, polling: 100 },
      );

      // The page's own data: samples with throughput, alerts and both workers' load, and charts that drew them.
      const state = (await page.evaluate(
        () => (globalThis as unknown as { statecraft: PageState }).statecraft,
      )) as PageState;
      expect(state.samples.length).toBeGreaterThanOrEqual(3);
      expect(state.samples.at(-1)!.busy).toHaveLength(2);
      expect(state.points.throughput).toBe(state.samples.length);
      expect(state.points.alerts).toBe(state.samples.length);
      expect(state.points.workers).toBe(2 * state.samples.length);
      const canvasPoints = await page.$eval('#throughput', (canvas) =>
        Number(canvas.getAttribute('data-points')),
      );
      expect(canvasPoints).toBeGreaterThanOrEqual(3);
      expect(await page.$eval('#alerts', (tile) => tile.textContent)).toMatch(/^[\d,]+$/);
      expect(await page.$eval('#title', (title) => title.textContent)).toBe(
        'stdin · machine seed · 2 workers · 128 partitions',
      );

      // A screenshot of the throughput chart: its line is drawn (blue pixels), not a blank canvas.
      const chart = await page.$('#throughput');
      const shot = PNG.sync.read(Buffer.from(await chart!.screenshot({ type: 'png' })));
      const pixels = shot.width * shot.height;
      const { inked: ink, colours, blue } = inked(shot);
      expect(pixels).toBeGreaterThan(10_000);
      expect(ink / pixels).toBeGreaterThan(0.01);
      expect(colours).toBeGreaterThan(20);
      expect(blue).toBeGreaterThan(100);
      // DASHBOARD_SCREENSHOT=page.png keeps a screenshot of the whole page, for a person to look at.
      const keep = process.env.DASHBOARD_SCREENSHOT;
      if (keep !== undefined) await page.screenshot({ path: keep as `${string}.png` });
      await page.close();
    } finally {
      clearInterval(feeder);
      child.stdin!.end();
    }
    expect(await run.exited).toBe(EXIT.ok);
  });
});
