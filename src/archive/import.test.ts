import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { SAMPLE_CSV } from './archive.fixture.js';
import { PgArchiveStore } from './archive.pg.js';
import { formatArchiveError, importArchiveText } from './import.js';

const JSON_ROWS = {
  rows: [
    {
      customer_id: 'J1', customer_name: '南京钢铁', classes: ['DH_KEY', 'DEDICATED'], meter_id: 'JM1', concentrator_id: 'JT1',
      wiring: '3P3W', nominal_voltage_v: 10000, ct_ratio: 40, pt_ratio: 100, values_side: 'secondary',
    },
  ],
};

describe.each(DB_FLAVOURS)('importArchiveText on %s', (flavour) => {
  let db: TestDatabase;
  let store: PgArchiveStore;
  beforeEach(async () => {
    db = await openTestDatabase(flavour);
    store = new PgArchiveStore(db.sql);
  });
  afterEach(async () => db?.drop());

  it('imports CSV and JSON', async () => {
    expect(await importArchiveText(store, SAMPLE_CSV, 'csv')).toMatchObject({
      ok: true,
      counts: { customers: 3, meters: 4, concentrators: 2, created: 9, updated: 0 },
    });
    expect(await importArchiveText(store, JSON.stringify(JSON_ROWS), 'json')).toMatchObject({ ok: true, counts: { created: 3 } });
    expect(await store.getMeter('JM1')).toMatchObject({ meter: { ptRatio: 100, ctRatio: 40 }, customer: { classes: ['DH_KEY', 'DEDICATED'] } });
  });

  it('writes nothing when one row is bad, and lists every error', async () => {
    const bad = `${SAMPLE_CSV}\r\nC004,Bad Row,VIP,,,,,,,,M005,,1P,220,60,0,1,primary`;
    const outcome = await importArchiveText(store, bad, 'csv');
    expect(!outcome.ok && outcome.errors.map(formatArchiveError)).toEqual([
      'line 6, column classes: unknown class "VIP"',
      'line 6, column ct_ratio: must be greater than 0',
    ]);
    expect((await store.listCustomers({ page: 1, pageSize: 10 })).total).toBe(0);
  });
});
