/**
 * The fleets the rule benches evaluate, voltage/current/load per 15-min step: by default N alike 380 V 3P4W meters
 * of one KEY customer (one plan for all, one meter in --alarm-every over-voltage); with --fleet=sim the bench's
 * simulated fleet (simulators/fleet.ts, the seed of `npm run bench`): every class, wiring and contract size, about a
 * thousand distinct plans per 10,000 meters, and its simulated curves.
 */
import type { MeterContext } from '../src/domain/archive.js';
import type { AnySample, Kind } from '../src/domain/sample.js';
import { normalise } from '../src/ingest/normalise.js';
import { CurveGenerator } from '../simulators/curves.js';
import { buildWorkload } from './workload.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;
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

export interface RuleFleet {
  contexts: Map<string, MeterContext>;
  /** Every meter's samples of one step, meter by meter. */
  step(step: number): AnySample[];
}

const SIM_SEED = 20240501;
const CURVE_KINDS = ['voltage', 'current', 'load'] as const satisfies readonly Kind[];

/** The bench's simulated fleet: archive entries as an import stores them, values as its meters send them. */
function simulatedFleet(meters: number): RuleFleet {
  const { fleet } = buildWorkload(meters, SIM_SEED, 0);
  const contexts = new Map<string, MeterContext>();
  for (const m of fleet.meters) {
    const { index: _index, customerIndex: _customer, loadShare: _share, isMain: _main, ...meter } = m;
    const { profile: _profile, meanLoadKw: _kw, weekendFactor: _weekend, ...customer } = fleet.customers[m.customerIndex];
    contexts.set(m.id, { meter, customer });
  }
  const curves = new CurveGenerator(fleet);
  return {
    contexts,
    step(step) {
      const tsMs = T0 + step * Q;
      const records = curves.step(tsMs);
      const samples: AnySample[] = [];
      for (const m of fleet.meters) {
        for (const kind of CURVE_KINDS) {
          const { meter: _meter, ts: _ts, ...values } = records[kind][m.index];
          samples.push(normalise(kind, m.id, tsMs, values, (contexts.get(m.id) as MeterContext).meter));
        }
      }
      return samples;
    },
  };
}

/** The fleet --fleet names (alike by default), of this many meters. */
export function ruleFleet(meters: number, alarmEvery: number): RuleFleet {
  if (process.argv.includes('--fleet=sim')) return simulatedFleet(meters);
  return { contexts: fleetContexts(meters), step: (step) => stepSamples(meters, step, alarmEvery) };
}

export const argNumber = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
