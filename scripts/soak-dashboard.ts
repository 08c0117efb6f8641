/**
 * npm run soak:dashboard -- [--minutes 60] [--meters 300] [--speed 900] [--out test-artifacts/dashboard-soak.md]
 *
 * The page's memory under streaming: starts the service (child process, embedded database, free
 * ports), plays the simulator at --speed from 40 days back (an hour at 900x covers 37.5 days, so it
 * never reaches the real clock), opens the dashboard on a customer and on the overview in
 * chromium (signed in with the bootstrap admin token, anonymous MQTT as in tests), and reads each page's JS heap over CDP every minute, after a forced GC so the figure is
 * what the page keeps. Prints each reading and writes a markdown report (rewritten every minute,
 * so a run cut short still leaves its figures).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { archiveCsv } from '../simulators/archive-csv.js';
import { planSimulation, runSimulation, type SimulationOptions, type SimulationStats } from '../simulators/publisher.js';
import { openSignedIn } from '../test/browser/sign-in.js';
import { killService, spawnService } from '../test/support/child-service.js';

const CHROMIUM = '/usr/bin/chromium';
const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' }, meters: { type: 'string', default: '300' },
    speed: { type: 'string', default: '900' }, out: { type: 'string', default: 'test-artifacts/dashboard-soak.md' },
  },
});
const minutes = Number(args.minutes);
const meters = Number(args.meters);
const speed = Number(args.speed);
if (!(minutes > 0) || !(meters > 0) || !(speed > 0)) throw new Error('--minutes, --meters and --speed must be positive numbers');

interface Reading { minute: number; label: string; heapUsedMb: number; heapTotalMb: number; domNodes: number; listeners: number }

async function heap(cdp: CDPSession): Promise<Omit<Reading, 'minute' | 'label'>> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? NaN;
  return { heapUsedMb: m('JSHeapUsedSize') / MB, heapTotalMb: m('JSHeapTotalSize') / MB, domNodes: m('Nodes'), listeners: m('JSEventListeners') };
}

function report(readings: Reading[], stats: SimulationStats | null, startedAt: Date, pageErrors: string[]): string {
  const rows = readings.map((r) => `| ${r.minute} | ${r.label} | ${r.heapUsedMb.toFixed(2)} | ${r.heapTotalMb.toFixed(2)} | ${r.domNodes} | ${r.listeners} |`);
  const growth = (label: string) => {
    const mine = readings.filter((r) => r.label === label);
    if (mine.length < 2) return `- ${label}: not enough readings`;
    const first = mine[0];
    const last = mine.at(-1)!;
    const perMin = (last.heapUsedMb - first.heapUsedMb) / Math.max(1, last.minute - first.minute);
    return `- ${label}: ${first.heapUsedMb.toFixed(2)} MB at minute ${first.minute}, ${last.heapUsedMb.toFixed(2)} MB at minute ${last.minute}: ${(perMin * 1024).toFixed(1)} KB/min`;
  };
  return [
    '# Dashboard memory soak',
    '',
    `Started ${startedAt.toISOString()}; planned ${minutes} min, ${readings.length ? readings.at(-1)!.minute : 0} min measured so far.`,
    `${meters} simulated meters at speed ${speed} from 40 days back; simulator: ${stats ? `${stats.steps} steps, ${stats.samples} samples, last ${stats.lastTs}` : 'no progress yet'}.`,
    'JS heap read over CDP (Performance.getMetrics) after HeapProfiler.collectGarbage.',
    '',
    growth('customer'),
    growth('overview'),
    '',
    '| minute | page | JS heap used MB | JS heap total MB | DOM nodes | listeners |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Page errors: ${pageErrors.length ? pageErrors.join('; ') : 'none'}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dataDir = mkdtempSync(join(tmpdir(), 'loadwatch-soak-'));
  const svc = await spawnService({ HTTP_PORT: '0', MQTT_PORT: '0', HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', DATA_DIR: dataDir }, 60_000);
  const abort = new AbortController();
  const pageErrors: string[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const stop = async () => {
    abort.abort();
    await browser.close().catch(() => undefined);
    await killService(svc);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    const options: SimulationOptions = {
      meters, concentrators: Math.max(1, Math.ceil(meters / 100)), seed: 'soak', speed, qos: 1,
      startMs: Date.now() - 40 * DAY_MS, durationMs: minutes * 60_000, mqttUrl: svc.mqttUrl, clientIdPrefix: 'soak',
    };
    const plan = planSimulation(options);
    const imported = await svc.api('/api/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: archiveCsv(plan.fleet) });
    if (!imported.ok) throw new Error(`archive import: ${imported.status} ${await imported.text()}`);
    let stats: SimulationStats | null = null;
    const simulation = runSimulation({ ...options, onProgress: (s) => (stats = s) }, abort.signal, plan);

    const customer = plan.fleet.customers[0];
    const open = async (label: string, hash: string): Promise<{ label: string; page: Page; cdp: CDPSession }> => {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      page.on('pageerror', (err) => pageErrors.push(`${label}: ${err.message}`));
      await openSignedIn(page, `${svc.base}/${hash}`, svc.token);
      await page.waitForFunction(() => (window as unknown as { __loadwatch?: { live: string } }).__loadwatch?.live === 'live', undefined, { timeout: 30_000 });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      return { label, page, cdp };
    };
    const pages = [await open('customer', `#/customer/${encodeURIComponent(customer.id)}`), await open('overview', '#/overview')];
    console.log(`soak: service ${svc.base}, customer ${customer.id}, ${meters} meters at ${speed}x for ${minutes} min; report ${args.out}`);

    const readings: Reading[] = [];
    mkdirSync(dirname(args.out), { recursive: true });
    for (let minute = 0; minute <= minutes; minute++) {
      if (minute > 0) await new Promise((r) => setTimeout(r, 60_000));
      for (const p of pages) {
        const r: Reading = { minute, label: p.label, ...(await heap(p.cdp)) };
        readings.push(r);
        console.log(`minute ${minute} ${p.label}: heap ${r.heapUsedMb.toFixed(2)} MB used / ${r.heapTotalMb.toFixed(2)} MB, ${r.domNodes} nodes, ${r.listeners} listeners; sim ${stats ? (stats as SimulationStats).lastTs : '-'}`);
      }
      writeFileSync(args.out, report(readings, stats, startedAt, pageErrors));
    }
    abort.abort();
    await simulation.catch(() => undefined);
    writeFileSync(args.out, report(readings, stats, startedAt, pageErrors));
    console.log(report(readings, stats, startedAt, pageErrors));
  } finally {
    await stop();
  }
}

await main();
