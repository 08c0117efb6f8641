import { describe, expect, it } from 'vitest';
import { ANOMALY_KINDS, ANOMALY_NAMES, labelsJsonLines, planAnomalies, type AnomalyLabel, type AnomalyName } from './anomalies.js';
import { CurveGenerator } from './curves.js';
import { createFleet } from './fleet.js';
import { STEP_MS } from './local-time.js';
import type { StepSamples } from './records.js';

const START_MS = Date.parse('2026-11-24T00:00:00+08:00');
const STEPS = 96;
const fleet = createFleet({ meters: 1000, concentrators: 10, seed: 3 });
const events = planAnomalies(fleet, ANOMALY_NAMES, START_MS);
const labels: AnomalyLabel[] = labelsJsonLines(events).trim().split('\n').map((l) => JSON.parse(l));
const play = (withEvents: boolean): StepSamples[] => {
  const gen = new CurveGenerator(fleet, withEvents ? events : []);
  return Array.from({ length: STEPS }, (_, i) => gen.step(START_MS + i * STEP_MS));
};
const withAnomalies = play(true);
const clean = play(false);
const meterById = new Map(fleet.meters.map((m) => [m.id, m]));
const inWindow = (label: AnomalyLabel, tsMs: number) => tsMs >= Date.parse(label.startTs) && tsMs <= Date.parse(label.endTs);

describe('planAnomalies', () => {
  it('is deterministic and plans each kind on distinct meters, early in the run', () => {
    expect(labelsJsonLines(planAnomalies(fleet, ANOMALY_NAMES, START_MS))).toBe(labelsJsonLines(events));
    expect(new Set(labels.map((l) => l.anomaly))).toEqual(new Set(ANOMALY_NAMES));
    expect(new Set(labels.map((l) => l.meterId)).size).toBe(labels.length);
    expect(Math.min(...labels.map((l) => Date.parse(l.startTs)))).toBeLessThanOrEqual(START_MS + 4 * STEP_MS);
    // Curve anomalies fit in the first day; day, freeze and run anomalies need the multi-day runs they are for.
    const curveLabels = labels.filter((l) => ANOMALY_KINDS[l.anomaly as AnomalyName].timing === 'points');
    expect(Math.max(...curveLabels.map((l) => Date.parse(l.endTs)))).toBeLessThan(START_MS + STEPS * STEP_MS);
  });

  it.each([
    ['over-voltage', 4, 16],
    ['under-voltage', 4, 16],
    ['overload', 2, 12],
  ])('labels %s with its meter, customer and a span of %i to %i points', (anomaly, minPoints, maxPoints) => {
    for (const label of labels.filter((l) => l.anomaly === anomaly)) {
      const meter = meterById.get(label.meterId)!;
      expect(fleet.customers[meter.customerIndex].id).toBe(label.customerId);
      const points = (Date.parse(label.endTs) - Date.parse(label.startTs)) / STEP_MS + 1;
      expect(points).toBeGreaterThanOrEqual(minPoints);
      expect(points).toBeLessThanOrEqual(maxPoints);
      expect(label.startTs).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+08:00$/);
    }
  });

  it('puts overloads on the main meter of a customer with a contract', () => {
    for (const label of labels.filter((l) => l.anomaly === 'overload')) {
      const meter = meterById.get(label.meterId)!;
      expect(meter.isMain).toBe(true);
      expect(fleet.customers[meter.customerIndex].contractKva).toBeGreaterThan(0);
    }
  });
});

describe('injected anomalies', () => {
  it('leave every value outside the labelled windows as it would have been', () => {
    withAnomalies.forEach((step, i) => {
      for (const label of labels) {
        const k = meterById.get(label.meterId)!.index;
        if (inWindow(label, step.tsMs)) continue;
        expect(step.voltage[k]).toEqual(clean[i].voltage[k]);
        expect(step.load[k]).toEqual(clean[i].load[k]);
      }
    });
  });

  it.each([
    ['over-voltage', (ratio: number) => ratio > 1.07 && ratio < 1.27],
    ['under-voltage', (ratio: number) => ratio < 0.9 && ratio > 0.73],
  ] as const)('show %s on the labelled phases at every labelled point', (anomaly, crossed) => {
    for (const label of labels.filter((l) => l.anomaly === anomaly)) {
      const m = meterById.get(label.meterId)!;
      const nominal = m.wiring === '3P4W' ? 220 : m.nominalVoltageV / (m.valuesSide === 'secondary' ? m.ptRatio : 1);
      const channels = label.phase ? [label.phase.toLowerCase() as 'a' | 'b' | 'c'] : m.wiring === '1P' ? ['a' as const] : m.wiring === '3P3W' ? (['a', 'c'] as const) : (['a', 'b', 'c'] as const);
      const hits = withAnomalies.filter((s) => inWindow(label, s.tsMs));
      expect(hits.length).toBeGreaterThan(0);
      for (const step of hits) for (const ch of channels) expect(crossed(step.voltage[m.index][ch]! / nominal), `${label.meterId} ${ch}`).toBe(true);
    }
  });

  it('show overload as 1.1-1.5 x contract kVA x PF at every labelled point', () => {
    for (const label of labels.filter((l) => l.anomaly === 'overload')) {
      const m = meterById.get(label.meterId)!;
      const contractKva = fleet.customers[m.customerIndex].contractKva!;
      const k = m.ctRatio * m.ptRatio;
      const hits = withAnomalies.filter((s) => inWindow(label, s.tsMs));
      expect(hits.length).toBeGreaterThan(0);
      for (const step of hits) {
        const load = step.load[m.index];
        const ratio = (load.p * k) / (contractKva * load.pf);
        expect(ratio).toBeGreaterThan(1.09);
        expect(ratio).toBeLessThan(1.52);
      }
    }
  });
});
