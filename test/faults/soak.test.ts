import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { openPg } from '../../src/db/sql.pg.js';
import { killService, spawnService } from '../support/child-service.js';
import { TEST_DATABASE_URL, uniqueName } from '../support/db.js';
import { QUARTER_MS } from '../support/load-publisher.js';
import { dropSchema } from '../support/service.js';
import { FAULT_LONG, importArchive, rssBytes, scrape, sleep, total } from './support.js';
import { loopbackEnv, schemaEnv } from '../support/service-env.js';

// Issue #8: the service under a steady fleet for SOAK_MINUTES (24 h with FAULT_LONG=1; 1 minute in CI, so the harness is tested).
const MINUTES = Number(process.env.SOAK_MINUTES ?? (FAULT_LONG ? 1_440 : 1));
const RATE_PER_S = 50;
const METERS = Array.from({ length: 200 }, (_, i) => `SK${String(i).padStart(4, '0')}`);
const TOTAL = Math.ceil(MINUTES * 60 * RATE_PER_S);
const REPORT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'service-soak.md');
const MIB = 2 ** 20;

/** Sample i: meter and quarter-hour follow from i, so every sample has its own (meter, ts) and a value unique to it. */
function sample(i: number, lastQuarterMs: number): { meterId: string; tsMs: number; p: number } {
  return { meterId: METERS[i % METERS.length], tsMs: lastQuarterMs - Math.floor(i / METERS.length) * QUARTER_MS, p: i + 0.25 };
}

interface Row {
  minute: number | 'end';
  sent: number;
  acked: number;
  received: number;
  stored: number;
  quarantined: number;
  duplicates: number;
  buffered: number;
  rssMiB: number;
}

/** received = stored + quarantined + buffered + duplicates (overwrites count as stored: none are sent here). */
function accounting(m: Map<string, number>): Omit<Row, 'minute' | 'sent' | 'acked' | 'rssMiB'> {
  return {
    received: m.get('loadwatch_ingest_messages_total') ?? 0,
    stored: (m.get('loadwatch_ingest_samples_total{result="stored"}') ?? 0) + (m.get('loadwatch_ingest_samples_total{result="overwritten"}') ?? 0),
    quarantined: total(m, 'loadwatch_ingest_messages_processed_total') - (m.get('loadwatch_ingest_messages_processed_total{outcome="accepted"}') ?? 0),
    duplicates: m.get('loadwatch_ingest_samples_total{result="duplicate"}') ?? 0,
    buffered: (m.get('loadwatch_ingest_backlog_records') ?? 0) + (m.get('loadwatch_ingest_disk_only_records') ?? 0),
  };
}

const gap = (r: Row) => r.received - r.stored - r.quarantined - r.duplicates - r.buffered;

function writeReport(rows: Row[], notes: string[]): void {
  mkdirSync(dirname(REPORT), { recursive: true });
  const lines = [
    `# Service soak`,
    '',
    `${MINUTES} minute(s) planned at ${RATE_PER_S} samples/s over ${METERS.length} meters (one QoS 1 message each), service a child process on the machine's PostgreSQL.`,
    'gap = received - stored - quarantined - duplicates - buffered: scraped while running, so a few messages between two counters may show; 0 is asserted after the drain.',
    '',
    '| minute | sent | acked | received | stored | quarantined | duplicates | buffered | gap | RSS MiB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.minute} | ${r.sent} | ${r.acked} | ${r.received} | ${r.stored} | ${r.quarantined} | ${r.duplicates} | ${r.buffered} | ${gap(r)} | ${r.rssMiB.toFixed(0)} |`),
    '',
    ...notes,
  ];
  writeFileSync(REPORT, `${lines.join('\n')}\n`);
}

describe('service soak', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => console.error('cleanup failed', err));
  });

  it(`streams ${RATE_PER_S} samples/s for ${MINUTES} minute(s), keeps the accounting every minute, stores every acknowledged sample once and keeps RSS bounded`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'loadwatch-soak-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const schema = uniqueName('lw_soak');
    cleanups.push(() => dropSchema(schema));
    const child = await spawnService({
      ...loopbackEnv(dataDir),
      ...schemaEnv(schema),
    });
    cleanups.push(async () => {
      if (child.proc.exitCode !== null || child.proc.signalCode !== null) console.error(`service died:\n${child.stderr().slice(-3000)}`);
      await killService(child);
    });
    await importArchive(child, METERS);
    const client = await mqtt.connectAsync(child.mqttUrl, { clientId: `soak-${process.pid}`, reconnectPeriod: 0 });
    cleanups.push(() => client.endAsync(true));

    const lastQuarterMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS - QUARTER_MS;
    const acked = new Uint8Array(TOTAL);
    let sent = 0;
    let ackedCount = 0;
    let failed = 0;
    const startedMs = Date.now();
    const ticker = setInterval(() => {
      const due = Math.min(TOTAL, Math.floor(((Date.now() - startedMs) / 1000) * RATE_PER_S));
      for (; sent < due; sent++) {
        const i = sent;
        const s = sample(i, lastQuarterMs);
        client.publishAsync(`meters/${s.meterId}/load`, JSON.stringify({ ts: s.tsMs, p: s.p }), { qos: 1 }).then(
          () => {
            acked[i] = 1;
            ackedCount++;
          },
          () => failed++,
        );
      }
    }, 100);
    cleanups.push(async () => clearInterval(ticker));

    const rows: Row[] = [];
    const notes: string[] = [];
    for (let minute = 1; minute <= MINUTES; minute++) {
      await sleep(Math.max(0, startedMs + minute * 60_000 - Date.now()));
      expect(child.proc.exitCode, `service alive at minute ${minute}`).toBeNull();
      rows.push({ minute, sent, acked: ackedCount, rssMiB: rssBytes(child.proc.pid!) / MIB, ...accounting(await scrape(child.base)) });
      writeReport(rows, notes);
    }
    clearInterval(ticker);

    // Drain: every message acknowledged, nothing buffered, every journaled message through the pipeline.
    const drainStartMs = Date.now();
    let end: Row;
    for (;;) {
      end = { minute: 'end', sent, acked: ackedCount, rssMiB: rssBytes(child.proc.pid!) / MIB, ...accounting(await scrape(child.base)) };
      if (ackedCount + failed === sent && end.received === ackedCount && end.buffered === 0 && gap(end) === 0) break;
      expect(Date.now() - drainStartMs, `drained within 2 minutes: ${JSON.stringify(end)}`).toBeLessThan(120_000);
      await sleep(500);
    }
    const drainMs = Date.now() - drainStartMs;

    // Every acknowledged sample stored exactly once with its value, nothing stored that was not sent.
    const sql = await openPg({ url: TEST_DATABASE_URL, schema, maxConnections: 1 });
    cleanups.push(() => sql.close());
    const seen = new Uint8Array(TOTAL);
    let wrong = 0;
    for (let m = 0; m < METERS.length; m++) {
      const { rows: stored } = await sql.query<{ ts: number; p: number }>(
        'SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts, p FROM telemetry_load WHERE meter_id = $1',
        [METERS[m]],
      );
      for (const r of stored) {
        const i = Math.round((lastQuarterMs - r.ts) / QUARTER_MS) * METERS.length + m;
        if (i < 0 || i >= sent || seen[i] || r.p !== sample(i, lastQuarterMs).p) wrong++;
        else seen[i] = 1;
      }
    }
    let missing = 0;
    for (let i = 0; i < sent; i++) if (acked[i] && !seen[i]) missing++;

    const warm = rows[Math.min(1, rows.length - 1)].rssMiB;
    const peak = Math.max(...rows.map((r) => r.rssMiB), end.rssMiB);
    notes.push(
      `Drained ${drainMs} ms after the last minute. Sent ${sent}, acknowledged ${ackedCount}, failed ${failed}; stored ${end.stored}, duplicates ${end.duplicates}, quarantined ${end.quarantined}.`,
      `Rows checked in PostgreSQL: missing ${missing}, unexpected or wrong ${wrong}.`,
      `RSS after warm-up (minute ${Math.min(2, rows.length)}) ${warm.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, at the end ${end.rssMiB.toFixed(0)} MiB.`,
    );
    rows.push({ ...end, minute: 'end' });
    writeReport(rows, notes);
    console.info(`[service soak ${MINUTES} min] ${notes.join(' ')} Report: ${REPORT}`);

    expect(failed).toBe(0);
    expect(missing, 'acknowledged samples not stored').toBe(0);
    expect(wrong, 'rows stored twice, not sent, or with another value').toBe(0);
    expect(end.duplicates).toBe(0);
    expect(end.quarantined).toBe(0);
    expect(end.stored).toBe(ackedCount);
    // A leak would be unmistakable: twice the RSS the service had once warmed up.
    expect(end.rssMiB).toBeLessThan(2 * warm);
  }, MINUTES * 60_000 + 240_000);
});
