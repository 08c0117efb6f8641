/**
 * The pure rule core alone (evaluate(), no database): N meters x 3 kinds per 15-min step, states carried from
 * step to step as the engine's cache does. `node --import tsx bench/evaluate-pass.ts [meters] [steps]
 * [--alarm-every=N]` (add --cpu-prof to profile). Prints the mean time per meter step after warm-up.
 */
import type { AnySample } from '../src/domain/sample.js';
import type { MeterRuleState } from '../src/rules/evaluate.js';
import { evaluate } from '../src/rules/evaluate.js';
import { DEFAULT_SETTINGS } from '../src/rules/settings.js';
import { argNumber, fleetContexts, stepSamples } from './rules-fleet.js';

const meters = Number(process.argv[2] ?? 1000);
const steps = Number(process.argv[3] ?? 40);
const alarmEvery = argNumber('alarm-every', 100);

const contexts = [...fleetContexts(meters).values()];
const states = new Map<string, MeterRuleState>();
const times: number[] = [];
let transitions = 0;
for (let step = 0; step < steps; step++) {
  const byMeter = new Map<string, AnySample[]>();
  for (const s of stepSamples(meters, step, alarmEvery)) byMeter.set(s.meterId, [...(byMeter.get(s.meterId) ?? []), s]);
  const t = performance.now();
  for (const ctx of contexts) {
    const r = evaluate(ctx, byMeter.get(ctx.meter.id) ?? [], DEFAULT_SETTINGS, states.get(ctx.meter.id) ?? {}, { reuse: true });
    states.set(ctx.meter.id, r.state);
    transitions += r.transitions.length;
  }
  times.push(performance.now() - t);
}
const warm = times.slice(Math.min(5, times.length - 1));
const meanMs = warm.reduce((a, b) => a + b, 0) / warm.length;
process.stdout.write(
  `${meters} meters x 3 kinds, ${steps} steps: ${((meanMs * 1000) / meters).toFixed(1)} us per meter step ` +
    `(${Math.round((meters * 3) / (meanMs / 1000))} samples/s on one core), ${transitions} transitions\n`,
);
