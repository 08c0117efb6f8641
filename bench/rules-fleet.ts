/**
 * The alike fleet the rule benches evaluate by default (and rule tests borrow): N 380 V 3P4W meters of one KEY
 * customer, voltage/current/load per step. The simulated one is rules-sim-fleet.ts's.
 */
import type { MeterContext } from '../src/domain/archive.js';
import type { AnySample } from '../src/domain/sample.js';

export const T0 = Date.UTC(2025, 0, 6);
export const Q = 15 * 60_000;
export const CUSTOMER = { id: 'c1', name: 'Works', classes: ['KEY'], address: 'x', phone: '', accountManager: 'Li', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null } as const;

export function fleetContexts(meters: number): Map<string, MeterContext> {
  const contexts = new Map<string, MeterContext>();
  for (let i = 1; i <= meters; i++) {
    contexts.set(`m${i}`, {
      meter: { id: `m${i}`, customerId: CUSTOMER.id, concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
      customer: { ...CUSTOMER, classes: [...CUSTOMER.classes] },
    });
  }
  return contexts;
}

/** One 15-min step of every meter; one meter in alarmEvery is over-voltage (0: none). */
export function stepSamples(meters: number, step: number, alarmEvery: number): AnySample[] {
  const samples: AnySample[] = [];
  const tsMs = T0 + step * Q;
  for (let i = 1; i <= meters; i++) {
    const v = alarmEvery > 0 && i % alarmEvery === 0 ? 250 : 218 + ((i * 7 + step * 13) % 5);
    samples.push({ kind: 'voltage', meterId: `m${i}`, tsMs, values: { a: v, b: 221, c: 219 }, multiplier: 1 });
    samples.push({ kind: 'current', meterId: `m${i}`, tsMs, values: { a: 50, b: 52, c: 49 }, multiplier: 1 });
    samples.push({ kind: 'load', meterId: `m${i}`, tsMs, values: { p: 30 + (step % 5), q: 5, pf: 0.98 }, multiplier: 1 });
  }
  return samples;
}

export const argNumber = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
