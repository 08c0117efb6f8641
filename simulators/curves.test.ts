import { describe, expect, it } from 'vitest';
import { CurveGenerator } from './curves.js';
import { createFleet, type Fleet } from './fleet.js';
import { STEP_MS } from './local-time.js';
import type { StepSamples } from './records.js';
import { TARIFFS } from './tou.js';

const START_MS = Date.parse('2026-11-23T00:00:00+08:00'); // a Monday
const DAYS = 3;

function run(fleet: Fleet, steps: number): { gen: CurveGenerator; out: StepSamples[] } {
  const gen = new CurveGenerator(fleet);
  const out = Array.from({ length: steps }, (_, i) => gen.step(START_MS + i * STEP_MS));
  return { gen, out };
}

describe('CurveGenerator', () => {
  const fleet = createFleet({ meters: 300, concentrators: 3, seed: 11 });
  const { out } = run(fleet, DAYS * 96 + 1);

  it('repeats the first steps for the same seed and changes them for another', () => {
    const again = run(createFleet({ meters: 300, concentrators: 3, seed: 11 }), 3).out;
    const other = run(createFleet({ meters: 300, concentrators: 3, seed: 12 }), 3).out;
    expect(again).toEqual(out.slice(0, 3));
    expect(other[1].load.map((r) => r.p)).not.toEqual(out[1].load.map((r) => r.p));
  });

  it('stamps samples with the local ISO instant and emits readings only at local midnight', () => {
    expect(out[1].voltage[0].ts).toBe('2026-11-23T00:15:00+08:00');
    expect(out.filter((s) => s.reading !== null).map((s) => s.reading![0].ts)).toEqual([
      '2026-11-23T00:00:00+08:00', '2026-11-24T00:00:00+08:00', '2026-11-25T00:00:00+08:00', '2026-11-26T00:00:00+08:00',
    ]);
  });

  it.each([
    ['1P', ['a']],
    ['3P3W', ['a', 'c']],
    ['3P4W', ['a', 'b', 'c']],
  ] as const)('sends only the channels a %s meter has', (wiring, phases) => {
    const indices = fleet.meters.filter((m) => m.wiring === wiring).map((m) => m.index);
    expect(indices.length).toBeGreaterThan(0);
    for (const k of indices) {
      for (const kind of ['voltage', 'current'] as const) {
        const r = out[40][kind][k];
        expect(Object.keys(r).filter((key) => key !== 'meter' && key !== 'ts').sort()).toEqual([...phases]);
      }
    }
  });

  it('keeps values in the ranges of domain.md 1.7 (and voltages inside the GB/T 12325 bands)', () => {
    const outOfRange: unknown[] = [];
    for (const step of out) {
      for (const m of fleet.meters) {
        const v = step.voltage[m.index];
        const nominal = m.wiring === '3P3W' ? (m.valuesSide === 'secondary' ? 100 : 10_000) : 220;
        const lower = m.wiring === '1P' ? 0.9 : 0.93;
        for (const u of [v.a, v.b, v.c]) if (u !== undefined && (u / nominal < lower || u / nominal > 1.07)) outOfRange.push(v);
        const load = step.load[m.index];
        if (!(load.p >= 0 && load.pf > 0.5 && load.pf < 1)) outOfRange.push(load);
      }
    }
    expect(outOfRange).toEqual([]);
  });

  it('sends secondary values that times the multipliers give the primary ones', () => {
    const gen = new CurveGenerator(fleet);
    for (let i = 0; i < 40; i++) gen.step(START_MS + i * STEP_MS);
    const step = gen.step(START_MS + 40 * STEP_MS);
    for (const m of fleet.meters) {
      const primary = gen.primary(m.index);
      const kPt = m.valuesSide === 'secondary' ? m.ptRatio : 1;
      const kCt = m.valuesSide === 'secondary' ? m.ctRatio : 1;
      // Tolerances are the protocol resolutions scaled by the multiplier.
      expect(Math.abs(step.load[m.index].p * kPt * kCt - primary.pKw)).toBeLessThanOrEqual(0.00005 * kPt * kCt + 1e-9);
      expect(Math.abs(step.voltage[m.index].a * kPt - primary.voltageV[0])).toBeLessThanOrEqual(0.05 * kPt + 1e-9);
      expect(Math.abs(step.current[m.index].a * kCt - primary.currentA[0])).toBeLessThanOrEqual(0.0005 * kCt + 1e-9);
      if (m.wiring === '3P3W') {
        // Two-element metering: P = sqrt(3) x U_line x I x PF.
        const ratio = primary.pKw * 1000 / (Math.sqrt(3) * primary.voltageV[0] * primary.currentA[0] * primary.pf);
        expect(ratio).toBeGreaterThan(0.85);
        expect(ratio).toBeLessThan(1.15);
      }
    }
  });

  it('never lets a register decrease and keeps the tariffs summing to the total', () => {
    const readings = out.flatMap((s) => (s.reading ? [s.reading] : []));
    for (const m of fleet.meters) {
      for (let d = 1; d < readings.length; d++) {
        const [prev, cur] = [readings[d - 1][m.index], readings[d][m.index]];
        for (const reg of ['total', ...TARIFFS] as const) expect(cur[reg]).toBeGreaterThanOrEqual(prev[reg]);
        expect(Math.abs(cur.sharp + cur.peak + cur.flat + cur.valley - cur.total)).toBeLessThan(0.03);
      }
    }
  });

  it('freezes daily energy equal to the integral of the reported P (trapezoids over the day)', () => {
    for (const m of fleet.meters) {
      for (let d = 0; d < DAYS; d++) {
        const day = out.slice(d * 96, d * 96 + 97);
        const registerKwh = day[96].reading![m.index].total - day[0].reading![m.index].total;
        let integralKwh = 0;
        for (let i = 1; i <= 96; i++) integralKwh += ((day[i - 1].load[m.index].p + day[i].load[m.index].p) / 2) * 0.25;
        expect(Math.abs(registerKwh - integralKwh)).toBeLessThanOrEqual(0.011);
      }
    }
  });

  it.each([
    ['sharp', [[19, 21]]],
    ['valley', [[0, 8], [22, 24]]],
  ] as const)('books %s energy from the hours of its TOU periods', (register, hours) => {
    for (const m of fleet.meters.slice(0, 50)) {
      const day = out.slice(0, 97);
      const registerKwh = day[96].reading![m.index][register] - day[0].reading![m.index][register];
      let integralKwh = 0;
      for (const [from, to] of hours) for (let i = from * 4 + 1; i <= to * 4; i++) integralKwh += ((day[i - 1].load[m.index].p + day[i].load[m.index].p) / 2) * 0.25;
      expect(Math.abs(registerKwh - integralKwh)).toBeLessThanOrEqual(0.011);
    }
  });

  it('generates a step of 10,000 meters quickly', () => {
    const big = new CurveGenerator(createFleet({ meters: 10_000, concentrators: 50, seed: 1 }));
    big.step(START_MS);
    const t0 = performance.now();
    for (let i = 1; i <= 5; i++) big.step(START_MS + i * STEP_MS);
    expect((performance.now() - t0) / 5).toBeLessThan(250);
  });
});
