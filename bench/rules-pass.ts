/**
 * The rule engine alone, on the machine's PostgreSQL: N meters x 3 kinds per 15-min step, one evaluate() per step,
 * as the inline runner calls it, or with --split one per kind, as it does when a concentrator's kinds reach it in
 * different batches. `node --import tsx bench/rules-pass.ts [meters] [steps] [--defer] [--split] [--alarm-every=N]
 * [--fleet=sim] [--call-meters=N]` (add --cpu-prof to profile; the fleets: rules-sim-fleet.ts). Prints the node
 * process's and PostgreSQL's CPU per sample after warm-up, flushes included.
 */
import pino from 'pino';
import { openTestDatabase } from '../test/support/db.js';
import { createRuleEngine } from '../src/rules/engine.js';
import type { AnySample } from '../src/domain/sample.js';
import { cpuSeconds } from './machine.js';
import { argNumber } from './rules-fleet.js';
import { ruleFleet } from './rules-sim-fleet.js';

const meters = Number(process.argv[2] ?? 1000);
const steps = Number(process.argv[3] ?? 20);
// As the inline runner: snapshots deferred, flushed every 5 passes (the pipeline persists at most every 5 s, pacing.ts).
const defer = process.argv.includes('--defer');
// The alike fleet: one meter in this many is over-voltage (alarms raised, then updated every step); 0: none.
const alarmEvery = argNumber('alarm-every', 100);
const split = process.argv.includes('--split');
// Calls of at most this many meters each (0: a step's samples, or each kind's, in one call): the service's rule
// threads get a few hundred to a few thousand meters per call below saturation.
const callMeters = argNumber('call-meters', 0);
const WARM_UP_STEPS = 3;

const db = await openTestDatabase('postgres');
try {
  const fleet = ruleFleet(meters, alarmEvery);
  const contexts = fleet.contexts;
  const customers = new Map([...contexts.values()].map(({ customer: c }) => [c.id, c]));
  await db.sql.query(
    `INSERT INTO customers (id, name, classes, address, account_manager, contract_kva)
     SELECT c->>'id', c->>'name', ARRAY(SELECT json_array_elements_text(c->'classes')), c->>'address', c->>'accountManager', (c->>'contractKva')::double precision
     FROM json_array_elements($1::json) c`,
    [JSON.stringify([...customers.values()])],
  );
  await db.sql.query(
    `INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side)
     SELECT m->>'id', m->>'customerId', m->>'wiring', (m->>'nominalVoltageV')::double precision, m->>'valuesSide' FROM json_array_elements($1::json) m`,
    [JSON.stringify([...contexts.values()].map((c) => c.meter))],
  );
  const engine = await createRuleEngine({ sql: db.sql, log: pino({ level: 'silent' }) });
  const times: number[] = [];
  const flushes: number[] = [];
  // Made before the timing: the simulated fleet's curves cost more than some evaluations.
  const callsOf = Array.from({ length: steps }, (_, step) => (split ? groupedBy(fleet.step(step), (s) => s.kind) : [fleet.step(step)]).flatMap((batch) => inCalls(batch, callMeters)));
  let cpuAfterWarmUp = process.cpuUsage();
  let postgresAfterWarmUp = cpuSeconds(process.pid).postgres;
  for (let step = 0; step < steps; step++) {
    const t = performance.now();
    for (const call of callsOf[step]) await engine.evaluate(call, contexts, { deferSnapshot: defer });
    times.push(performance.now() - t);
    if (defer && step % 5 === 4) {
      const f = performance.now();
      await engine.flush();
      flushes.push(performance.now() - f);
    }
    if (step === WARM_UP_STEPS - 1) {
      cpuAfterWarmUp = process.cpuUsage();
      postgresAfterWarmUp = cpuSeconds(process.pid).postgres;
    }
  }
  const cpu = process.cpuUsage(cpuAfterWarmUp);
  const timedSamples = meters * 3 * Math.max(1, steps - WARM_UP_STEPS);
  const cpuUsPerSample = (cpu.user + cpu.system) / timedSamples;
  const postgresUsPerSample = ((cpuSeconds(process.pid).postgres - postgresAfterWarmUp) * 1e6) / timedSamples;
  const warm = times.slice(Math.min(WARM_UP_STEPS, times.length - 1));
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  process.stdout.write(`${meters} meters x 3 kinds, ${steps} steps${defer ? ' (deferred snapshots)' : ''}${split ? ' (a call per kind)' : ''}${callMeters ? ` (calls of ${callMeters} meters)` : ''}: mean ${mean.toFixed(1)} ms per pass = ${Math.round((meters * 3) / (mean / 1000))} samples/s, node CPU ${cpuUsPerSample.toFixed(1)} us, PostgreSQL ${postgresUsPerSample.toFixed(1)} us per sample${flushes.length ? `; flush of ${meters} meters: ${flushes.map((f) => f.toFixed(0)).join(', ')} ms` : ''}\n`);
} finally {
  await db.drop();
}

/** The samples in lists of one key each, in the order the keys first appear. */
function groupedBy(samples: readonly AnySample[], keyOf: (s: AnySample) => string): AnySample[][] {
  const out = new Map<string, AnySample[]>();
  for (const s of samples) {
    const list = out.get(keyOf(s));
    if (list) list.push(s);
    else out.set(keyOf(s), [s]);
  }
  return [...out.values()];
}

/** The batch in calls of at most `meters` meters each, every meter's samples in one call. */
function inCalls(samples: AnySample[], meters: number): AnySample[][] {
  if (meters <= 0) return [samples];
  const lists = groupedBy(samples, (s) => s.meterId);
  const out: AnySample[][] = [];
  for (let i = 0; i < lists.length; i += meters) out.push(lists.slice(i, i + meters).flat());
  return out;
}
