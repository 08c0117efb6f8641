/**
 * The rule engine alone, on the machine's PostgreSQL: N meters x 3 kinds per 15-min step, one evaluate() per step,
 * as the inline runner calls it. `node --import tsx bench/rules-pass.ts [meters] [steps] [--defer] [--alarm-every=N]` (add --cpu-prof to profile).
 */
import pino from 'pino';
import { openTestDatabase } from '../test/support/db.js';
import { createRuleEngine } from '../src/rules/engine.js';
import { argNumber, CUSTOMER, fleetContexts, stepSamples } from './rules-fleet.js';

const meters = Number(process.argv[2] ?? 1000);
const steps = Number(process.argv[3] ?? 20);
// As the inline runner: snapshots deferred, flushed every few passes (the pipeline persists every 2 s).
const defer = process.argv.includes('--defer');
// One meter in this many is over-voltage (alarms raised, then updated every step); 0: none.
const alarmEvery = argNumber('alarm-every', 100);

const db = await openTestDatabase('postgres');
try {
  await db.sql.query(`INSERT INTO customers (id, name, classes, address, account_manager, contract_kva) VALUES ($1, 'Works', '{KEY}', 'x', 'Li', 1000)`, [CUSTOMER.id]);
  await db.sql.query(
    `INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) SELECT 'm' || i, $2, '3P4W', 380, 'primary' FROM generate_series(1, $1) i`,
    [meters, CUSTOMER.id],
  );
  const contexts = fleetContexts(meters);
  const engine = await createRuleEngine({ sql: db.sql, log: pino({ level: 'silent' }) });
  const times: number[] = [];
  const flushes: number[] = [];
  for (let step = 0; step < steps; step++) {
    const samples = stepSamples(meters, step, alarmEvery);
    const t = performance.now();
    await engine.evaluate(samples, contexts, { deferSnapshot: defer });
    times.push(performance.now() - t);
    if (defer && step % 5 === 4) {
      const f = performance.now();
      await engine.flush();
      flushes.push(performance.now() - f);
    }
  }
  const warm = times.slice(Math.min(3, times.length - 1));
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  process.stdout.write(`${meters} meters x 3 kinds, ${steps} steps${defer ? ' (deferred snapshots)' : ''}: mean ${mean.toFixed(1)} ms per pass = ${Math.round((meters * 3) / (mean / 1000))} samples/s${flushes.length ? `; flush of ${meters} meters: ${flushes.map((f) => f.toFixed(0)).join(', ')} ms` : ''}\n`);
} finally {
  await db.drop();
}
