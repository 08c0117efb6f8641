import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { sampleArchive, SAMPLE_CSV } from './archive.fixture.js';
import { PgArchiveStore } from './archive.pg.js';
import type { CustomerQuery } from './store.js';

describe.each(DB_FLAVOURS)('PgArchiveStore on %s', (flavour) => {
  let db: TestDatabase;
  let store: PgArchiveStore;
  beforeEach(async () => {
    db = await openTestDatabase(flavour);
    store = new PgArchiveStore(db.sql);
  });
  afterEach(async () => db?.drop());

  const countRows = async (table: string) =>
    (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  it('imports customers, concentrators and meters and counts what it created', async () => {
    expect(await store.importArchive(sampleArchive())).toEqual({ customers: 3, meters: 4, concentrators: 2, created: 9, updated: 0 });
    expect(await store.getCustomer('C001')).toMatchObject({
      name: '上海华东电机有限公司, 二厂',
      classes: ['KEY', 'TOP100'],
      contractKva: 800,
      meters: [{ id: 'M001', ctRatio: 80, ptRatio: 1 }, { id: 'M002', wiring: '3P3W', nominalVoltageV: 10000, ptRatio: 100 }],
    });
    expect(await store.getMeter('M004')).toEqual({
      meter: { id: 'M004', customerId: 'C003', concentratorId: null, wiring: '1P', nominalVoltageV: 220, ratedCurrentA: 60, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
      customer: { id: 'C003', name: '张三', classes: ['RESIDENTIAL'], address: '徐汇区', phone: '', accountManager: '', contractKva: null, pfStandard: null, lat: null, lon: null },
    });
    expect(await store.getMeter('nope')).toBeUndefined();
    expect(await store.getCustomer('nope')).toBeUndefined();
  });

  it('updates on re-import instead of duplicating, and counts only what changed', async () => {
    await store.importArchive(sampleArchive());
    expect(await store.importArchive(sampleArchive())).toMatchObject({ created: 0, updated: 0 });
    const changed = sampleArchive(SAMPLE_CSV.replace('Acme Bakery', 'Acme Bakery Ltd').replace('M004,,1P', 'M004,T03,1P'));
    expect(await store.importArchive(changed)).toMatchObject({ created: 1, updated: 2 });
    expect([await countRows('customers'), await countRows('meters'), await countRows('concentrators')]).toEqual([3, 4, 3]);
    expect((await store.getCustomer('C002'))?.name).toBe('Acme Bakery Ltd');
    expect((await store.getMeter('M004'))?.meter.concentratorId).toBe('T03');
  });

  it('imports an archive larger than one statement batch, and re-imports it unchanged', async () => {
    const meters = 12_001;
    const csv = [SAMPLE_CSV.split('\r\n')[0]];
    for (let i = 0; i < meters; i++) csv.push(`K${Math.floor(i / 2)},客户${Math.floor(i / 2)},RESIDENTIAL,,,,,,,,N${i},T${i % 50},1P,220,60,1,1,primary`);
    const archive = sampleArchive(csv.join('\n'));
    expect(await store.importArchive(archive)).toEqual({ customers: 6001, meters, concentrators: 50, created: 6001 + meters + 50, updated: 0 });
    expect(await store.importArchive(archive)).toMatchObject({ created: 0, updated: 0 });
    expect(await countRows('meters')).toBe(meters);
  });

  it('writes nothing when one row fails in the database', async () => {
    const archive = sampleArchive();
    archive.meters[3] = { ...archive.meters[3], nominalVoltageV: 0 };
    await expect(store.importArchive(archive)).rejects.toThrow();
    expect([await countRows('customers'), await countRows('meters'), await countRows('concentrators')]).toEqual([0, 0, 0]);
  });

  it.each<[string, Omit<CustomerQuery, 'page' | 'pageSize'>, string[]]>([
    ['a Chinese name substring', { q: '华东电机' }, ['C001']],
    ['a Latin name in another case', { q: 'acme' }, ['C002']],
    ['an address', { q: '徐汇' }, ['C003']],
    ['a meter id', { q: 'm002' }, ['C001']],
    ['a customer id, ignoring spaces around it', { q: ' C00 ' }, ['C001', 'C002', 'C003']],
    ['a LIKE wildcard taken literally', { q: '%' }, []],
    ['any of several classes', { classes: ['TOP100', 'RESIDENTIAL'] }, ['C001', 'C003']],
    ['class and text together', { classes: ['RESIDENTIAL'], q: 'acme' }, []],
  ])('finds customers by %s', async (_, filter, ids) => {
    await store.importArchive(sampleArchive());
    const page = await store.listCustomers({ ...filter, page: 1, pageSize: 10 });
    expect(page.items.map((c) => c.id)).toEqual(ids);
    expect(page.total).toBe(ids.length);
  });

  it('pages customers in id order with their meter counts and the total', async () => {
    await store.importArchive(sampleArchive());
    const first = await store.listCustomers({ page: 1, pageSize: 2 });
    expect(first.items.map((c) => [c.id, c.meterCount])).toEqual([['C001', 2], ['C002', 1]]);
    expect(first.total).toBe(3);
    expect(await store.listCustomers({ page: 3, pageSize: 2 })).toEqual({ items: [], total: 3 });
  });

  it('records concentrator status, ignores older news and refuses unknown concentrators', async () => {
    await store.importArchive(sampleArchive());
    const t0 = new Date('2025-03-01T00:00:00Z');
    expect(await store.setConcentratorStatus('T01', true, t0)).toBe(true);
    expect(await store.setConcentratorStatus('T01', false, new Date(t0.getTime() - 1000))).toBe(true);
    expect(await store.setConcentratorStatus('T99', true, t0)).toBe(false);
    expect(await store.listConcentrators()).toEqual([
      { id: 'T01', online: true, statusAt: t0, meterCount: 2 },
      { id: 'T02', online: null, statusAt: null, meterCount: 1 },
    ]);
  });

  it('loads every meter with its customer, one customer object per customer', async () => {
    await store.importArchive(sampleArchive());
    const all = await store.loadAll();
    expect(all.concentrators.sort()).toEqual(['T01', 'T02']);
    const byId = new Map(all.meters.map((c) => [c.meter.id, c]));
    expect([...byId.keys()].sort()).toEqual(['M001', 'M002', 'M003', 'M004']);
    expect(byId.get('M001')?.customer).toBe(byId.get('M002')?.customer);
    expect(byId.get('M003')).toEqual(await store.getMeter('M003'));
  });

  it('has a fingerprint that stays through a re-import of the same archive and moves when a meter moves', async () => {
    const empty = await store.fingerprint();
    await store.importArchive(sampleArchive());
    const first = await store.fingerprint();
    expect(first).not.toBe(empty);
    await store.importArchive(sampleArchive());
    expect(await store.fingerprint()).toBe(first);
    // M003 moves from T02 to T01.
    await store.importArchive(sampleArchive(SAMPLE_CSV.replace(',M003,T02,', ',M003,T01,')));
    expect(await store.fingerprint()).not.toBe(first);
  });
});
