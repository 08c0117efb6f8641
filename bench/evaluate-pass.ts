/**
 * The pure rule core alone (evaluate(), no database): N meters x 3 kinds per 15-min step, states carried from
 * step to step as the engine's cache does. `node --import tsx bench/evaluate-pass.ts [meters] [steps]
 * [--alarm-every=N] [--floor] [--split] [--fleet=sim]` (add --cpu-prof to profile; the fleets: rules-sim-fleet.ts).
 * Prints the mean time per meter step after warm-up and, run with node's --expose-gc, the heap the states hold per
 * meter.
 * Every step's samples are made before the timing starts: making them in between put their garbage into the
 * timed steps' collections.
 *
 * --split evaluates each kind of a step on its own, as the service does when a concentrator's voltage, current and
 * load messages reach the rules in different batches.
 *
 * --floor times, instead of evaluate(), what a step needs at the least: each meter's point merged and every
 * curve track's value read and compared with its tiers' limits, with no rule state kept. A quiet meter's tracks
 * rest (src/rules/resting.ts), so evaluate() adds to it only the meter's own state: its recent points and record.
 */
import type { MeterContext } from '../src/domain/archive.js';
import type { AnySample } from '../src/domain/sample.js';
import { mergePoints } from '../src/rules/curve-point.js';
import { curveTracks } from '../src/rules/curve-tracks.js';
import type { MeterRuleState } from '../src/rules/evaluate.js';
import { evaluate } from '../src/rules/evaluate.js';
import { staysQuiet } from '../src/rules/resting.js';
import { CURVE_RULES } from '../src/rules/rule-codes.js';
import { DEFAULT_SETTINGS, effectiveSettings } from '../src/rules/settings.js';
import { DEFAULT_VOLTAGE_BANDS } from '../src/rules/voltage-band.js';
import { argNumber } from './rules-fleet.js';
import { ruleFleet } from './rules-sim-fleet.js';

const meters = Number(process.argv[2] ?? 1000);
const steps = Number(process.argv[3] ?? 40);
const alarmEvery = argNumber('alarm-every', 100);
const floor = process.argv.includes('--floor');
const split = process.argv.includes('--split');

const fleet = ruleFleet(meters, alarmEvery);
if (floor && process.argv.includes('--fleet=sim')) throw new Error('--floor reads one set of tracks for all meters: the alike fleet only');
const contexts = [...fleet.contexts.values()];
const samplesOf: AnySample[][][] = [];
for (let step = 0; step < steps; step++) {
  const byMeter = new Map<string, AnySample[]>(contexts.map((ctx) => [ctx.meter.id, []]));
  for (const s of fleet.step(step)) byMeter.get(s.meterId)?.push(s);
  samplesOf.push([...byMeter.values()]);
}

const states = new Map<string, MeterRuleState>();
let transitions = 0;
function evaluateStep(ctx: MeterContext, samples: AnySample[]): void {
  const r = evaluate(ctx, samples, DEFAULT_SETTINGS, states.get(ctx.meter.id) ?? {}, { reuse: true });
  states.set(ctx.meter.id, r.state);
  transitions += r.transitions.length;
}
function evaluateSplit(ctx: MeterContext, samples: AnySample[]): void {
  for (const s of samples) evaluateStep(ctx, [s]);
}

// The fleet's meters are alike: one set of tracks for all, as evaluate() shares one plan among alike meters.
const tracks = CURVE_RULES.flatMap((rule) => {
  const s = effectiveSettings(contexts[0].customer.classes, rule, DEFAULT_SETTINGS);
  return s && s.form !== 'daily' ? curveTracks(contexts[0], rule, s, DEFAULT_VOLTAGE_BANDS) : [];
});
function floorStep(_ctx: MeterContext, samples: AnySample[]): void {
  for (const point of mergePoints(samples).values()) {
    for (const track of tracks) if (!staysQuiet(track.read(point), track.tiers)) transitions++;
  }
}

const step = floor ? floorStep : split ? evaluateSplit : evaluateStep;
const times: number[] = [];
for (let s = 0; s < steps; s++) {
  const lists = samplesOf[s];
  const t = performance.now();
  for (let m = 0; m < meters; m++) step(contexts[m], lists[m]);
  times.push(performance.now() - t);
}
const warm = times.slice(Math.min(5, times.length - 1));
const meanMs = warm.reduce((a, b) => a + b, 0) / warm.length;
process.stdout.write(
  `${meters} meters x 3 kinds, ${steps} steps${floor ? ' (floor)' : split ? ' (a kind per evaluation)' : ''}: ${((meanMs * 1000) / meters).toFixed(1)} us per meter step ` +
    `(${Math.round((meters * 3) / (meanMs / 1000))} samples/s on one core), ${transitions} ${floor ? 'violating track values' : 'transitions'}\n`,
);

// With `node --expose-gc`: the heap the meters' states hold, what the engine's cache keeps per meter.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc && !floor) {
  samplesOf.length = 0;
  gc();
  const withStates = process.memoryUsage().heapUsed;
  states.clear();
  gc();
  process.stdout.write(`heap held by the states: ${Math.round((withStates - process.memoryUsage().heapUsed) / meters)} bytes per meter\n`);
}
