/**
 * The rule engine alone, on the machine's PostgreSQL: N meters x 3 kinds per 15-min step, one evaluate() per step,
 * as the inline runner calls it. `node --import tsx bench/rules-pass.ts [meters] [steps] [--defer] [--alarm-every=N]` (add --cpu-prof to profile).
 */
import pino from 'pino';
import { openTestDatabase } from '../test/support/db.js';
import type { MeterContext } from '../src/domain/archive.js';
import type { AnySample } from '../src/domain/sample.js';
import { createRuleEngine } from '../src/rules/engine.js';

const meters = Number(process.argv[2] ?? 1000);
const steps = Number(process.argv[3] ?? 20);
// As the inline runner: snapshots deferred, flushed every few passes (the pipeline persists every 2 s).
const defer = process.argv.includes('--defer');
// One meter in this many is over-voltage (alarms raised, then updated every step); 0: none.
const alarmEvery = Number(process.argv.find((a) => a.startsWith('--alarm-every='))?.split('=')[1] ?? 100);
const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;

const db = await openTestDatabase('postgres');
try {
  await db.sql.query(`INSERT INTO customers (id, name, classes, address, account_manager, contract_kva) VALUES ('c1', 'Works', '{KEY}', 'x', 'Li', 1000)`);
  await db.sql.query(
    `INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) SELECT 'm' || i, 'c1', '3P4W', 380, 'primary' FROM generate_series(1, $1) i`,
    [meters],
  );
  const customer = { id: 'c1', name: 'Works', classes: ['KEY'], address: 'x', phone: '', accountManager: 'Li', contractKva: 1000, pfStandard: 0.9, lat: null, lon: null } as const;
  const contexts = new Map<string, MeterContext>();
  for (let i = 1; i <= meters; i++) {
    contexts.set(`m${i}`, {
      meter: { id: `m${i}`, customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
      customer: { ...customer, classes: [...customer.classes] },
    });
  }
  const engine = await createRuleEngine({ sql: db.sql, log: pino({ level: 'silent' }) });
  const times: number[] = [];
  const flushes: number[] = [];
  for (let step = 0; step < steps; step++) {
    const samples: AnySample[] = [];
    const tsMs = T0 + step * Q;
    for (let i = 1; i <= meters; i++) {
      const v = alarmEvery > 0 && i % alarmEvery === 0 ? 250 : 218 + ((i * 7 + step * 13) % 5);
      samples.push({ kind: 'voltage', meterId: `m${i}`, tsMs, values: { a: v, b: 221, c: 219 }, multiplier: 1 });
      samples.push({ kind: 'current', meterId: `m${i}`, tsMs, values: { a: 50, b: 52, c: 49 }, multiplier: 1 });
      samples.push({ kind: 'load', meterId: `m${i}`, tsMs, values: { p: 30 + (step % 5), q: 5, pf: 0.98 }, multiplier: 1 });
    }
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
