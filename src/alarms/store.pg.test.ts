import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import type { MeterContext } from '../domain/archive.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { Transition } from '../rules/transition.js';
import { createAlarmStorePg } from './store.pg.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;

function context(meterId: string, customerId: string, classes: CustomerClass[]): MeterContext {
  return {
    meter: { id: meterId, customerId, concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: customerId, name: customerId, classes, address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: null, lat: null, lon: null },
  };
}
const contexts = new Map([['m1', context('m1', 'c1', ['KEY'])], ['m2', context('m2', 'c2', ['DEDICATED', 'TOP100'])]]);

function tr(kind: Transition['kind'], over: Partial<Transition> = {}): Transition {
  return {
    kind, meterId: 'm1', rule: 'V1', phase: 'A', severity: 'MINOR', startTsMs: T0, lastTsMs: T0, atTsMs: T0,
    value: 240, peakValue: 240, threshold: 234.75, details: { direction: 'over' }, ...over,
  };
}

describe.each(DB_FLAVOURS)('alarm store on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  async function open() {
    db = await openTestDatabase(flavour);
    await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'c1', '{KEY}'), ('c2', 'c2', '{DEDICATED,TOP100}')`);
    return createAlarmStorePg(db.sql);
  }

  it('keeps one open alarm per meter, rule and phase, and re-raises only after a clear', async () => {
    const store = await open();
    const first = await store.apply([tr('raise'), tr('raise', { meterId: 'm2', phase: '' })], contexts);
    expect(first.map((c) => c.change)).toEqual(['created', 'created']);
    // A raise for an already open (meter, rule, phase) updates it; a replayed one changes nothing.
    expect(await store.apply([tr('raise')], contexts)).toEqual([]);
    expect((await store.apply([tr('raise', { startTsMs: T0 + Q, lastTsMs: T0 + Q })], contexts)).map((c) => c.change)).toEqual(['updated']);
    await store.apply([tr('clear', { atTsMs: T0 + 2 * Q })], contexts);
    // The cleared occurrence replayed stays cleared; a new occurrence is a new alarm.
    expect(await store.apply([tr('raise')], contexts)).toEqual([]);
    const again = await store.apply([tr('raise', { startTsMs: T0 + 3 * Q, lastTsMs: T0 + 3 * Q })], contexts);
    expect(again.map((c) => c.change)).toEqual(['created']);
    expect(again[0].alarm.id).not.toBe(first[0].alarm.id);
    expect(await store.list({ state: 'all', meterId: 'm1' })).toHaveLength(2);
  });

  it('opens one alarm when the same raise arrives concurrently', async () => {
    const store = await open();
    const results = await Promise.all([1, 2, 3].map(() => store.apply([tr('raise')], contexts)));
    expect(results.flat().map((c) => c.change)).toEqual(['created']);
    const rows = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM alarms WHERE active');
    expect(rows.rows[0].n).toBe(1);
  });

  it('filters by state, class, severity, customer, meter and rule', async () => {
    const store = await open();
    await store.apply(
      [tr('raise'), tr('raise', { meterId: 'm2', rule: 'O1', phase: '', severity: 'MAJOR' }), tr('raise', { rule: 'V2', severity: 'MAJOR' }), tr('clear', { rule: 'V2', atTsMs: T0 + Q })],
      contexts,
    );
    const ids = async (f: Parameters<typeof store.list>[0]) => (await store.list(f)).map((a) => `${a.meterId}/${a.rule}`).sort();
    expect(await ids({})).toEqual(['m1/V1', 'm2/O1']);
    expect(await ids({ state: 'cleared' })).toEqual(['m1/V2']);
    expect(await ids({ state: 'all', classes: ['TOP100'] })).toEqual(['m2/O1']);
    expect(await ids({ state: 'all', severities: ['MAJOR'] })).toEqual(['m1/V2', 'm2/O1']);
    expect(await ids({ state: 'all', customerId: 'c1', rule: 'V2' })).toEqual(['m1/V2']);
    expect(await ids({ state: 'all', limit: 1 })).toHaveLength(1);
    expect((await store.openForCustomer('c2')).map((a) => a.customer)).toEqual([
      { id: 'c2', name: 'c2', classes: ['DEDICATED', 'TOP100'], address: '', accountManager: '' },
    ]);
  });

  it('acknowledges once, records the event, and answers undefined for unknown ids', async () => {
    const store = await open();
    const [created] = await store.apply([tr('raise')], contexts);
    const acked = await store.acknowledge(created.alarm.id, 'dispatcher-7', 'crew sent');
    expect(acked).toMatchObject({ change: 'acknowledged', alarm: { acknowledged: true, active: true, ackBy: 'dispatcher-7', ackComment: 'crew sent' } });
    expect(Date.parse(acked!.alarm.ackTs!)).toBeGreaterThan(T0);
    const second = await store.acknowledge(created.alarm.id, 'someone-else', '');
    expect(second?.alarm.ackBy).toBe('dispatcher-7');
    const events = await db.sql.query<{ type: string; actor: string }>('SELECT type, actor FROM alarm_events ORDER BY id');
    expect(events.rows).toEqual([{ type: 'created', actor: 'rules' }, { type: 'acknowledged', actor: 'dispatcher-7' }]);
    expect(await store.acknowledge('999999', 'x', '')).toBeUndefined();
    expect(await store.acknowledge('not-an-id', 'x', '')).toBeUndefined();
    expect(await store.get('not-an-id')).toBeUndefined();
    expect((await store.get(created.alarm.id))?.acknowledged).toBe(true);
  });

  it('clears by hand, keeps it closed while the condition lasts, and re-raises after NORMAL', async () => {
    const store = await open();
    const [created] = await store.apply([tr('raise')], contexts);
    const id = created.alarm.id;
    const cleared = await store.clear(id, 'dispatcher-7', 'fuse replaced');
    expect(cleared).toMatchObject({ ok: true, change: { change: 'cleared', alarm: { active: false, manualClear: true, clearedBy: 'dispatcher-7', clearComment: 'fuse replaced' } } });
    expect(await store.clear(id, 'someone', '')).toMatchObject({ ok: false, reason: 'not-active' });
    expect(await store.clear('999999', 'someone', '')).toEqual({ ok: false, reason: 'not-found' });
    expect(await store.clear('x', 'someone', '')).toEqual({ ok: false, reason: 'not-found' });

    // The rule still sees the condition: updates and an escalation do not re-open it.
    const during = await store.apply([tr('update', { lastTsMs: T0 + Q }), tr('escalate', { severity: 'MAJOR', lastTsMs: T0 + 2 * Q })], contexts);
    expect(during).toEqual([]);
    // The rule observes NORMAL (its clear), then the condition comes back: a new alarm.
    expect(await store.apply([tr('clear', { atTsMs: T0 + 3 * Q })], contexts)).toEqual([]);
    const again = await store.apply([tr('raise', { startTsMs: T0 + 4 * Q, lastTsMs: T0 + 4 * Q })], contexts);
    expect(again.map((c) => c.change)).toEqual(['created']);
    expect(again[0].alarm).toMatchObject({ manualClear: false, clearedBy: null, active: true });
    expect((await store.get(id))?.manualClear).toBe(true);
  });

  it('returns the history of an alarm in the order it happened, with who and what', async () => {
    const store = await open();
    const [created] = await store.apply([tr('raise')], contexts);
    const id = created.alarm.id;
    await store.apply([tr('escalate', { severity: 'MAJOR', lastTsMs: T0 + Q })], contexts);
    await store.acknowledge(id, 'dispatcher-7', 'crew sent');
    await store.apply([tr('deescalate', { severity: 'WARNING', lastTsMs: T0 + 2 * Q })], contexts);
    await store.clear(id, 'dispatcher-9', 'repaired');
    const history = await store.history(id);
    expect(history?.map((e) => `${e.type} ${e.actor}`)).toEqual([
      'created rules', 'escalated rules', 'acknowledged dispatcher-7', 'deescalated rules', 'cleared dispatcher-9',
    ]);
    expect(history?.[1].detail).toMatchObject({ severity: 'MAJOR', previousSeverity: 'MINOR' });
    expect(history?.[4].detail).toMatchObject({ manual: true, comment: 'repaired' });
    expect(history?.every((e) => Number.isFinite(Date.parse(e.at)))).toBe(true);
    expect(await store.history('999999')).toBeUndefined();
  });

  it('lists a history of more than ten events in the order it happened', async () => {
    const store = await open();
    const [created] = await store.apply([tr('raise')], contexts);
    for (let i = 1; i <= 11; i++) await store.apply([tr('update', { lastTsMs: T0 + i * Q, atTsMs: T0 + i * Q })], contexts);
    const history = await store.history(created.alarm.id);
    expect(history?.map((e) => (Date.parse(e.detail.sampleTs as string) - T0) / Q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('filters by start time and pages with a cursor, without gaps or repeats', async () => {
    const store = await open();
    // Five occurrences of m1/V1, each raised and cleared, plus one open alarm of m2.
    for (let i = 0; i < 5; i++) {
      await store.apply([tr('raise', { startTsMs: T0 + i * 4 * Q, lastTsMs: T0 + i * 4 * Q }), tr('clear', { atTsMs: T0 + (i * 4 + 1) * Q })], contexts);
    }
    await store.apply([tr('raise', { meterId: 'm2', phase: '', startTsMs: T0 + Q, lastTsMs: T0 + Q })], contexts);
    const starts = (list: { startTs: string }[]) => list.map((a) => (Date.parse(a.startTs) - T0) / Q);
    expect(starts(await store.list({ state: 'all', fromMs: T0 + 4 * Q, toMs: T0 + 12 * Q }))).toEqual([8, 4]);
    expect(starts(await store.list({ state: 'all', fromMs: T0 + 16 * Q }))).toEqual([16]);

    const seen: string[] = [];
    let page = await store.list({ state: 'all', limit: 2 });
    while (page.length > 0) {
      seen.push(...page.map((a) => `${a.meterId}@${(Date.parse(a.startTs) - T0) / Q}`));
      const last = page[page.length - 1];
      page = await store.list({ state: 'all', limit: 2, after: { active: last.active, startTs: last.startTs, id: last.id } });
    }
    // Open first, then newest start first.
    expect(seen).toEqual(['m2@1', 'm1@16', 'm1@12', 'm1@8', 'm1@4', 'm1@0']);
  });
});
