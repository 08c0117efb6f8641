/**
 * The fleets the rule benches evaluate, voltage/current/load per 15-min step: by default rules-fleet.ts's alike
 * meters (one plan for all, one meter in --alarm-every over-voltage); with --fleet=sim the bench's simulated fleet
 * (simulators/fleet.ts, the seed of `npm run bench`): every class, wiring and contract size, about a thousand
 * distinct plans per 10,000 meters, and its simulated curves. Apart from rules-fleet.ts, which rule tests import,
 * so that they do not load the simulators.
 */
import type { MeterContext } from '../src/domain/archive.js';
import type { AnySample } from '../src/domain/sample.js';
import { normalise } from '../src/ingest/normalise.js';
import { CurveGenerator } from '../simulators/curves.js';
import { fleetContexts, Q, stepSamples, T0 } from './rules-fleet.js';
import { buildWorkload, KINDS } from './workload.js';

export interface RuleFleet {
  contexts: Map<string, MeterContext>;
  /** Every meter's samples of one step, meter by meter. */
  step(step: number): AnySample[];
}

const SIM_SEED = 20240501;

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
        for (const kind of KINDS) {
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
