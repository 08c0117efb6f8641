import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS } from '../../../test/support/db.js';
import { createAlarmStorePg } from '../../alarms/store.pg.js';
import type { MeterContext } from '../../domain/archive.js';
import type { Transition } from '../../rules/transition.js';
import { openTestApp, type TestApp } from './app.fixture.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;

function context(meterId: string, customerId: string): MeterContext {
  return {
    meter: { id: meterId, customerId, concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: customerId, name: customerId, classes: [], address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: null, lat: null, lon: null },
  };
}
const contexts = new Map([['m1', context('m1', 'c1')], ['m2', context('m2', 'c2')]]);

function tr(kind: Transition['kind'], over: Partial<Transition> = {}): Transition {
  return {
    kind, meterId: 'm1', rule: 'V1', phase: 'A', severity: 'MINOR', startTsMs: T0, lastTsMs: T0, atTsMs: T0,
    value: 240, peakValue: 240, threshold: 234.75, details: {}, ...over,
  };
}

describe.each(DB_FLAVOURS)('alarm routes on %s', (flavour) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  async function seed() {
    t = await openTestApp(flavour);
    const store = createAlarmStorePg(t.db.sql);
    await store.apply([
      tr('raise'),
      tr('raise', { meterId: 'm2', rule: 'O1', phase: '', severity: 'MAJOR', startTsMs: T0 + 4 * Q, lastTsMs: T0 + 4 * Q }),
      tr('raise', { rule: 'V2', severity: 'CRITICAL', startTsMs: T0 + 8 * Q, lastTsMs: T0 + 8 * Q }),
      tr('clear', { rule: 'V2', atTsMs: T0 + 9 * Q }),
    ], contexts);
    return store;
  }
  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() };
  };
  const keys = (items: { meterId: string; rule: string }[]) => items.map((a) => `${a.meterId}/${a.rule}`);

  it('filters by state, class, severity, rule, customer, meter and start time', async () => {
    await seed();
    const iso = (q: number) => new Date(T0 + q * Q).toISOString();
    const cases: [string, string[]][] = [
      ['', ['m2/O1', 'm1/V1']],
      ['state=cleared', ['m1/V2']],
      ['state=all', ['m2/O1', 'm1/V1', 'm1/V2']],
      ['state=all&class=KEY', ['m2/O1']],
      ['state=all&severity=CRITICAL', ['m1/V2']],
      ['state=all&rule=V1', ['m1/V1']],
      ['state=all&customer=c1', ['m1/V1', 'm1/V2']],
      ['state=all&meter=m2', ['m2/O1']],
      [`state=all&from=${iso(4)}`, ['m2/O1', 'm1/V2']],
      [`state=all&from=${T0 + Q}&to=${iso(8)}`, ['m2/O1']],
    ];
    for (const [query, expected] of cases) {
      const { status, body } = await get(`/api/alarms?${query}`);
      expect({ query, status, items: keys(body.items) }).toEqual({ query, status: 200, items: expected });
    }
    expect((await get('/api/alarms?from=yesterday')).body).toMatchObject({ error: 'BAD_INSTANT' });
    expect((await get('/api/alarms?cursor=bogus')).body).toMatchObject({ error: 'BAD_CURSOR' });
  });

  it('pages with nextCursor until null', async () => {
    await seed();
    const seen: string[] = [];
    let url = '/api/alarms?state=all&limit=2';
    for (;;) {
      const { body } = await get(url);
      seen.push(...keys(body.items));
      if (!body.nextCursor) break;
      url = `/api/alarms?state=all&limit=2&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(['m2/O1', 'm1/V1', 'm1/V2']);
  });

  it('clears by hand with who (the signed-in person, whatever the body says) and why, refuses a second clear, and shows the history in order', async () => {
    const store = await seed();
    const [open] = await store.list({ meterId: 'm1' });
    const as = (role: 'dispatcher' | 'admin') => ({ authorization: `Bearer ${t.tokens[role]}` });
    const idOf = async (role: 'dispatcher' | 'admin') => (await t.raw.inject({ url: '/api/session', headers: as(role) })).json().id as string;
    const [dispatcher, admin] = [`${await idOf('dispatcher')} (dispatcher)`, `${await idOf('admin')} (admin)`];
    // `by` names someone else: the audit must not believe it (older dashboards still send it, so it is accepted).
    const ack = await t.raw.inject({ method: 'POST', url: `/api/alarms/${open.id}/ack`, headers: as('dispatcher'), payload: { by: 'op-1', comment: 'seen' } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ ackBy: dispatcher, ackComment: 'seen' });
    const clear = await t.raw.inject({ method: 'POST', url: `/api/alarms/${open.id}/clear`, headers: as('admin'), payload: { comment: 'fuse replaced' } });
    expect(clear.statusCode).toBe(200);
    expect(clear.json()).toMatchObject({ active: false, acknowledged: true, clearedBy: admin, clearComment: 'fuse replaced', manualClear: true });
    expect(t.published.map((p) => p.change)).toEqual(['acknowledged', 'cleared']);

    const again = await t.app.inject({ method: 'POST', url: `/api/alarms/${open.id}/clear`, payload: { by: 'op-3' } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'ALARM_NOT_ACTIVE' });
    expect((await t.app.inject({ method: 'POST', url: '/api/alarms/999999/clear', payload: {} })).statusCode).toBe(404);

    const history = await get(`/api/alarms/${open.id}/history`);
    expect(history.body.items.map((e: { type: string; actor: string }) => `${e.type}/${e.actor}`)).toEqual(['created/rules', `acknowledged/${dispatcher}`, `cleared/${admin}`]);
    expect(history.body.items[2].detail).toMatchObject({ manual: true, comment: 'fuse replaced' });
    expect((await get('/api/alarms/999999/history')).status).toBe(404);
  });
});
