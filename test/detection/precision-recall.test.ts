import { mkdirSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { PgArchiveStore } from '../../src/archive/archive.pg.js';
import { importArchiveText } from '../../src/archive/import.js';
import type { MeterContext } from '../../src/domain/archive.js';
import type { AnySample, Kind } from '../../src/domain/sample.js';
import { normalise } from '../../src/ingest/normalise.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { createPgTelemetryStore } from '../../src/telemetry/telemetry.pg.js';
import { ANOMALY_NAMES, planAnomalies, type AnomalyLabel } from '../../simulators/anomalies.js';
import { CurveGenerator, type StepSamples } from '../../simulators/curves.js';
import { archiveCsv } from '../../simulators/archive-csv.js';
import { createFleet } from '../../simulators/fleet.js';
import { STEP_MS } from '../../simulators/local-time.js';
import { openTestDatabase, type TestDatabase } from '../support/db.js';
import { isDailyRule, scoreRules, scoreTable, type RaisedAlarm } from './score.js';

// A Sunday at the start of a month without a season factor: 35 days give D1/D2 four weeks of baseline and
// P1 a month to date; the run ends on April 5.
const START_MS = Date.parse('2026-03-01T00:00:00+08:00');
const DAYS = 35;
const METERS = 120;
const STEPS_PER_BATCH = 96;
const RULES = ['V1', 'V2', 'V3', 'V4', 'L1', 'L2', 'L3', 'L4', 'I1', 'O1', 'O2', 'P1', 'D1', 'D2', 'Z1', 'M1', 'M2', 'M3', 'M4', 'M5'];

let db: TestDatabase | undefined;
afterAll(async () => db?.drop());

function samplesOf(step: StepSamples, contexts: ReadonlyMap<string, MeterContext>): AnySample[] {
  const out: AnySample[] = [];
  const add = (kind: Kind, records: readonly { meter: string }[] | null) => {
    for (const r of records ?? []) out.push(normalise(kind, r.meter, step.tsMs, { ...r }, (contexts.get(r.meter) as MeterContext).meter));
  };
  add('voltage', step.voltage);
  add('current', step.current);
  add('load', step.load);
  add('reading', step.reading);
  return out;
}

it('raises the expected alarm for every injected anomaly and few others (35 days, real engine on PGlite)', async () => {
  const fleet = createFleet({ meters: METERS, concentrators: 4, seed: 'precision-recall' });
  const events = planAnomalies(fleet, ANOMALY_NAMES, START_MS, { days: DAYS, perKind: 2 });
  const labels = events.map((e) => e.label);
  db = await openTestDatabase('pglite');
  const archive = new PgArchiveStore(db.sql);
  const imported = await importArchiveText(archive, archiveCsv(fleet), 'csv');
  expect(imported.ok).toBe(true);
  const contexts = new Map((await archive.loadAll()).meters.map((c) => [c.meter.id, c]));
  const engine = await createRuleEngine({ sql: db.sql, log: pino({ level: 'silent' }) });
  const telemetry = createPgTelemetryStore(db.sql);
  const generator = new CurveGenerator(fleet, events);
  const replacements = labels.filter((l): l is AnomalyLabel & { archiveChange: { ctRatio: number } } => l.archiveChange !== undefined);

  const alarms: RaisedAlarm[] = [];
  let batch: AnySample[] = [];
  const flush = async () => {
    await telemetry.write(batch);
    for (const c of await engine.evaluate(batch, contexts)) {
      if (c.change === 'created') alarms.push({ rule: c.alarm.rule, meterId: c.alarm.meterId, phase: c.alarm.phase, startTsMs: Date.parse(c.alarm.startTs) });
    }
    batch = [];
  };
  // Up to and including the freeze that closes the last day.
  for (let tsMs = START_MS; tsMs <= START_MS + DAYS * 86_400_000; tsMs += STEP_MS) {
    // The archive learns of a replaced meter (and its new CT) when the new meter starts sending.
    for (const r of replacements.filter((l) => Date.parse(l.startTs) === tsMs)) {
      const ctx = contexts.get(r.meterId) as MeterContext;
      contexts.set(r.meterId, { ...ctx, meter: { ...ctx.meter, ctRatio: r.archiveChange.ctRatio } });
    }
    if (replacements.some((l) => Date.parse(l.startTs) === tsMs) && batch.length > 0) await flush();
    batch.push(...samplesOf(generator.step(tsMs), contexts));
    if (batch.length > 0 && ((tsMs - START_MS) / STEP_MS + 1) % STEPS_PER_BATCH === 0) await flush();
  }
  if (batch.length > 0) await flush();

  const scores = scoreRules(RULES, labels, alarms);
  const table = scoreTable(scores);
  const controls = labels.filter((l) => l.rule === null).map((l) => `${l.anomaly} ${l.meterId}: ${alarms.filter((a) => a.meterId === l.meterId).map((a) => a.rule).join(', ') || 'no alarm'}`);
  const unmatched = alarms.filter((a) => !labels.some((l) => l.meterId === a.meterId && [l.rule, ...(l.alsoRules ?? [])].includes(a.rule as never)));
  console.log(`${table}\n\ncontrols: ${controls.join('; ')}\nalarms on unlabelled (meter, rule): ${unmatched.map((a) => `${a.rule} ${a.meterId}@${new Date(a.startTsMs).toISOString()}`).join(', ')}`);
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/precision-recall.md', `# Precision and recall per rule\n\n${fleet.meters.length} meters, ${DAYS} days from ${new Date(START_MS).toISOString()}, ${labels.length} labels, ${alarms.length} alarms.\n\n${table}\n\nNegative controls: ${controls.join('; ')}\n`);

  for (const s of scores) {
    if (isDailyRule(s.rule)) expect(s.recall ?? 1, `${s.rule} recall`).toBeGreaterThanOrEqual(0.8);
    else expect(s.recall ?? 1, `${s.rule} recall`).toBeGreaterThanOrEqual(0.9);
    // I1 is left out of the precision bound: the generator's own phase shares (profiles.ts, phaseShareSd 0.1 for
    // commercial loads) put 15-35 % unbalance on KEY/TOP100 low-voltage meters, over I1's 15 % warning, without any
    // injected anomaly. Those alarms are right by the rule's definition; the label file just does not name them.
    if (!isDailyRule(s.rule) && s.rule !== 'I1') expect(s.precision ?? 1, `${s.rule} precision`).toBeGreaterThanOrEqual(0.9);
  }
  // Negative controls: M1 stays silent on a replaced meter (archive updated) and on a register rollover.
  expect(alarms.filter((a) => a.rule === 'M1' && labels.some((l) => l.rule === null && l.meterId === a.meterId))).toEqual([]);
}, 420_000); // about 90 s alone; CI runs it beside other suites on two cores
