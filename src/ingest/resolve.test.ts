import { describe, expect, it } from 'vitest';
import type { Meter, MeterContext } from '../domain/archive.js';
import { decodeMessage } from './decode.js';
import { resolveSamples, type ArchiveLookup } from './resolve.js';

const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const customer = { id: 'C1', name: '杭州钢铁', classes: ['KEY' as const], address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null };
const meter = (id: string, m: Partial<Meter>): MeterContext => ({
  customer,
  meter: { id, customerId: 'C1', concentratorId: 'K1', wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: 5, ctRatio: 1, ptRatio: 1, valuesSide: 'secondary', ...m },
});
const meters = new Map(
  [
    meter('HV', { wiring: '3P3W', nominalVoltageV: 10_000, ptRatio: 100, ctRatio: 20 }),
    meter('LV', { ctRatio: 80 }),
    meter('PRIMARY', { ctRatio: 80, ptRatio: 100, valuesSide: 'primary' }),
    meter('HOME', { wiring: '1P', nominalVoltageV: 220, concentratorId: 'K2' }),
  ].map((m) => [m.meter.id, m]),
);
const archive: ArchiveLookup = {
  get: (id) => meters.get(id),
  hasConcentrator: (id) => id === 'K1' || id === 'K2',
};

function resolveOne(meterId: string, kind: 'voltage' | 'current' | 'load' | 'reading', sample: object) {
  const topic = { type: 'meter' as const, meterId, kind };
  return resolveSamples(topic, decodeMessage(topic, Buffer.from(JSON.stringify({ ts: NOW, ...sample })), { nowMs: NOW, maxFutureSkewMs: 0 }), archive);
}

describe('primary values from CT/PT ratios (domain.md 1.6)', () => {
  it.each([
    ['HV voltage x K_PT', 'HV', 'voltage', { a: 101.5, c: 99.8 }, { a: 10_150, b: null, c: 9_980 }, 100],
    ['HV current x K_CT', 'HV', 'current', { a: 2.5, c: 2.4 }, { a: 50, b: null, c: 48 }, 20],
    ['HV power x K_PT x K_CT', 'HV', 'load', { p: 0.3, q: 0.1, pf: 0.95 }, { p: 600, q: 200, pf: 0.95 }, 2000],
    ['HV registers x K', 'HV', 'reading', { total: 5.5, valley: null }, { total: 11_000, sharp: null, peak: null, flat: null, valley: null, reverse: null }, 2000],
    ['LV CT 400/5 current x 80', 'LV', 'current', { a: 1, b: 2, c: null }, { a: 80, b: 160, c: null }, 80],
    ['LV voltage through no PT', 'LV', 'voltage', { a: 230, b: 231, c: 229 }, { a: 230, b: 231, c: 229 }, 1],
    ['meter sending primary values', 'PRIMARY', 'load', { p: 600 }, { p: 600, q: null, pf: null }, 1],
  ])('%s', (_name, meterId, kind, sample, values, multiplier) => {
    const out = resolveOne(meterId, kind as 'load', sample);
    expect(out.rejections).toEqual([]);
    expect(out.samples[0].multiplier).toBe(multiplier);
    for (const [k, v] of Object.entries(values)) {
      if (v === null) expect((out.samples[0].values as unknown as Record<string, unknown>)[k]).toBeNull();
      else expect((out.samples[0].values as unknown as Record<string, number>)[k]).toBeCloseTo(v, 6);
    }
  });
});

describe('archive checks', () => {
  it.each([
    ['unknown meter', 'NOPE', 'voltage', { a: 230 }, 'unknown_meter'],
    ['phase b on a three-wire meter', 'HV', 'voltage', { a: 100, b: 100, c: 100 }, 'wiring_mismatch'],
    ['phase c on a single-phase meter', 'HOME', 'current', { a: 1, c: 1 }, 'wiring_mismatch'],
  ])('%s', (_name, meterId, kind, sample, reason) => {
    expect(resolveOne(meterId, kind as 'voltage', sample).rejections[0]?.reason).toBe(reason);
  });

  it('accepts a null in a channel the wiring lacks', () => {
    expect(resolveOne('HV', 'voltage', { a: 100, b: null, c: 100 }).rejections).toEqual([]);
  });

  it.each([
    ['K1', 'LV', 'stored'],
    ['K1', 'HOME', 'not_behind_concentrator'],
    ['K9', 'LV', 'unknown_concentrator'],
    ['K1', 'NOPE', 'unknown_meter'],
  ])('concentrator %s publishing for meter %s: %s', (concentratorId, meterId, expected) => {
    const topic = { type: 'concentrator' as const, concentratorId, kind: 'load' as const };
    const decoded = decodeMessage(topic, Buffer.from(JSON.stringify({ records: [{ meter: meterId, ts: NOW, p: 1 }] })), { nowMs: NOW, maxFutureSkewMs: 0 });
    const out = resolveSamples(topic, decoded, archive);
    expect(out.samples.length === 1 ? 'stored' : out.rejections[0].reason).toBe(expected);
  });
});
