/**
 * Issue 6: "uPlot for every chart; 20 charts on one page stay smooth", in Debian's chromium.
 * The grid view (#/meters/…) shows 20 meters' live load charts while every meter publishes a
 * sample every 100 ms; the page measures its frame intervals (requestAnimationFrame) and long
 * tasks. Bounds are generous (headless, 2 busy cores): they catch a page that freezes, not a slow one.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killService, spawnService, type ChildService } from '../support/child-service.js';
import { freePort } from '../support/free-port.js';
import { openSignedIn } from './sign-in.js';

const CHROMIUM = '/usr/bin/chromium';
const METERS = Array.from({ length: 20 }, (_, i) => `LGM${String(i + 1).padStart(2, '0')}`);
const ROUNDS = 100; // one sample per meter every 100 ms: 10 s of streaming
const ROUND_MS = 100;
const P95_FRAME_LIMIT_MS = 100;
const LONG_TASK_LIMIT_MS = 500;
const REPORT = fileURLToPath(new URL('../../test-artifacts/many-charts.md', import.meta.url));
const SHOT = fileURLToPath(new URL('../../test-artifacts/many-charts.png', import.meta.url));

const ARCHIVE_CSV = [
  'customer_id,customer_name,classes,address,phone,account_manager,contract_kva,pf_standard,lat,lon,meter_id,concentrator_id,wiring,nominal_voltage_v,rated_current_a,ct_ratio,pt_ratio,values_side',
  ...METERS.map((m, i) => `LG${String(i + 1).padStart(3, '0')},网格测试厂 ${i + 1},KEY,测试路 ${i + 1} 号,,王丽,400,0.9,31.2,121.5,${m},,3P4W,380,100,1,1,primary`),
].join('\n');


interface Measured { frameMs: number[]; longTaskMs: number[] }

describe.skipIf(!existsSync(CHROMIUM))('20 live charts on one page in chromium', () => {
  let dataDir: string;
  let svc: ChildService | undefined;
  let browser: Browser;
  let page: Page;
  let client: mqtt.MqttClient;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loadwatch-many-charts-'));
    svc = await spawnService({ HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()), HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', DATA_DIR: dataDir });
    const imported = await svc.api('/api/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: ARCHIVE_CSV });
    expect(imported.status, await imported.clone().text()).toBe(200);
    client = await mqtt.connectAsync(svc.mqttUrl, { clientId: `many-charts-${process.pid}`, clean: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await openSignedIn(page, `${svc.base}/#/meters/${METERS.join(',')}`, svc.token);
    await page.waitForFunction((n) => {
      const w = window as any;
      return w.__loadwatch?.live === 'live' && Object.keys(w.__loadwatch.gridCharts).length === n;
    }, METERS.length, { timeout: 20_000 });
  });

  afterAll(async () => {
    await browser?.close();
    client?.end(true);
    await killService(svc);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('draws every meter\'s streamed points in its own uPlot chart and keeps frames flowing', async () => {
    await page.evaluate(() => {
      const w = window as any;
      const m = { frameMs: [] as number[], longTaskMs: [] as number[], running: true };
      w.__measured = m;
      let last = performance.now();
      const tick = (now: number) => {
        m.frameMs.push(now - last);
        last = now;
        if (m.running) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      try {
        new PerformanceObserver((list) => { for (const e of list.getEntries()) m.longTaskMs.push(e.duration); }).observe({ type: 'longtask' });
      } catch { /* a browser without longtask entries: frame intervals still measure responsiveness */ }
    });

    // Distinct ms timestamps just behind the clock, so each sample is its own point in the last-24 h window.
    const startMs = Date.now() - ROUNDS * ROUND_MS - 60_000;
    const publishes: Promise<unknown>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const tsMs = startMs + round * ROUND_MS;
      METERS.forEach((m, i) => publishes.push(client.publishAsync(`meters/${m}/load`, JSON.stringify({ ts: tsMs, p: 100 + i + (round % 10), q: 5, pf: 0.99 }), { qos: 1 })));
      await new Promise((r) => setTimeout(r, ROUND_MS));
    }
    await Promise.all(publishes);

    const lengths = () => page.evaluate(() => Object.values((window as any).__loadwatch.gridCharts).map((u: any) => u.data[0].length as number));
    await expect.poll(lengths, { timeout: 15_000, interval: 300 }).toEqual(METERS.map(() => ROUNDS));
    const measured = await page.evaluate(() => {
      const m = (window as any).__measured;
      m.running = false;
      return { frameMs: m.frameMs.slice(1), longTaskMs: m.longTaskMs } as Measured;
    });

    const frames = [...measured.frameMs].sort((a, b) => a - b);
    const pct = (q: number) => frames[Math.min(frames.length - 1, Math.floor(frames.length * q))];
    const p50 = pct(0.5);
    const p95 = pct(0.95);
    const longest = Math.max(0, ...measured.longTaskMs);
    mkdirSync(join(REPORT, '..'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    const text = [
      '# 20 live uPlot charts on one page: frame intervals while data streams',
      '',
      `Measured ${new Date().toISOString()} by test/browser/many-charts.browser.test.ts: the grid view (#/meters/…) with ${METERS.length} meters' load charts`,
      `in headless chromium (--disable-gpu), ${METERS.length} meters each publishing one load sample over MQTT every ${ROUND_MS} ms for ${(ROUNDS * ROUND_MS) / 1000} s`,
      '(the service, a child process with the embedded database, pushes coalesced batches every 250 ms).',
      'Frame intervals from requestAnimationFrame, long tasks from PerformanceObserver("longtask"), both in the page, from the first publish to every chart holding every point.',
      `Machine load average (1 min) at the end: ${loadavg()[0].toFixed(2)} on ${cpus().length} cores; the figures include whatever else ran.`,
      '',
      `- frames measured: ${frames.length}`,
      `- frame interval p50: ${p50.toFixed(1)} ms, p95: ${p95.toFixed(1)} ms, max: ${frames.at(-1)?.toFixed(1)} ms (asserted: p95 < ${P95_FRAME_LIMIT_MS} ms)`,
      `- long tasks: ${measured.longTaskMs.length}, longest: ${longest.toFixed(0)} ms (asserted: < ${LONG_TASK_LIMIT_MS} ms)`,
      `- points per chart at the end: ${ROUNDS} in each of ${METERS.length} charts`,
      `- screenshot: test-artifacts/many-charts.png`,
      '',
    ].join('\n');
    writeFileSync(REPORT, text);
    console.log(text);

    expect(pageErrors).toEqual([]);
    expect(frames.length).toBeGreaterThan(20);
    // The instruments can see a stall: block the page's main thread for 300 ms and both must report it.
    const stall = await page.evaluate(async () => {
      const m = { frameMs: [] as number[], longTaskMs: [] as number[] };
      new PerformanceObserver((list) => { for (const e of list.getEntries()) m.longTaskMs.push(e.duration); }).observe({ type: 'longtask' });
      let last = performance.now();
      let frames = 0;
      await new Promise<void>((done) => {
        const tick = (now: number) => {
          m.frameMs.push(now - last);
          last = now;
          if (++frames === 3) { const until = performance.now() + 300; while (performance.now() < until); }
          if (frames < 10) requestAnimationFrame(tick); else done();
        };
        requestAnimationFrame(tick);
      });
      await new Promise((r) => setTimeout(r, 100));
      return { maxFrameMs: Math.max(...m.frameMs), maxLongTaskMs: Math.max(0, ...m.longTaskMs) };
    });
    // A frame's rAF timestamp is when chromium began that frame, which can precede the end of the
    // blocking task by a few tens of ms (CI saw 283 ms for the 300 ms block): still far over the limits.
    expect(stall.maxFrameMs).toBeGreaterThanOrEqual(250);
    expect(stall.maxLongTaskMs).toBeGreaterThanOrEqual(290);
    expect(p95).toBeLessThan(P95_FRAME_LIMIT_MS);
    expect(longest).toBeLessThan(LONG_TASK_LIMIT_MS);
  }, 45_000);
});
