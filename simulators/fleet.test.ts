import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_CLASSES } from '../src/domain/customer-class.js';
import { archiveCsv } from './archive-csv.js';
import { createFleet } from './fleet.js';

const HEADER =
  'customer_id,customer_name,classes,address,phone,account_manager,contract_kva,pf_standard,lat,lon,meter_id,concentrator_id,wiring,nominal_voltage_v,rated_current_a,ct_ratio,pt_ratio,values_side';

describe('createFleet', () => {
  const fleet = createFleet({ meters: 1000, concentrators: 10, seed: 1, directMeters: 3 });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(archiveCsv(createFleet({ meters: 300, concentrators: 4, seed: 7 }))).toBe(archiveCsv(createFleet({ meters: 300, concentrators: 4, seed: 7 })));
    expect(archiveCsv(createFleet({ meters: 300, concentrators: 4, seed: 7 }))).not.toBe(archiveCsv(createFleet({ meters: 300, concentrators: 4, seed: 8 })));
  });

  it('holds exactly the asked number of meters, about three per customer', () => {
    expect(fleet.meters).toHaveLength(1000);
    expect(fleet.customers.length).toBeGreaterThan(250);
    expect(fleet.customers.length).toBeLessThan(420);
  });

  it.each([20, 1000])('has every class among %i meters, and some customers in several', (meters) => {
    const f = meters === 1000 ? fleet : createFleet({ meters, concentrators: 2, seed: 5 });
    const present = new Set(f.customers.flatMap((c) => c.classes));
    expect([...present].sort()).toEqual([...CUSTOMER_CLASSES].sort());
    if (meters === 1000) expect(f.customers.some((c) => c.classes.length > 1)).toBe(true);
  });

  it.each([
    ['3P3W', 10_000, 100, [20, 80], 'secondary'],
    ['3P4W', 380, 1, [40, 80], 'secondary'],
    ['1P', 220, 1, [1, 1], undefined],
  ] as const)('wires %s meters at %i V with PT %i and CT in %j', (wiring, voltage, pt, [ctMin, ctMax], side) => {
    const meters = fleet.meters.filter((m) => m.wiring === wiring);
    expect(meters.length).toBeGreaterThan(0);
    for (const m of meters) {
      expect(m.nominalVoltageV).toBe(voltage);
      expect(m.ptRatio).toBe(pt);
      expect(m.ctRatio).toBeGreaterThanOrEqual(ctMin);
      expect(m.ctRatio).toBeLessThanOrEqual(ctMax);
      if (side) expect(m.valuesSide).toBe(side);
    }
  });

  it('puts residential customers on single-phase meters and dedicated ones on 10 kV', () => {
    for (const m of fleet.meters) {
      const c = fleet.customers[m.customerIndex];
      if (c.classes.includes('RESIDENTIAL')) expect(m.wiring).toBe('1P');
      if (c.classes.includes('DEDICATED') && m.isMain) expect(m.wiring).toBe('3P3W');
    }
  });

  it('splits each customer load over its meters and gives each customer one main meter', () => {
    for (const [i] of fleet.customers.entries()) {
      const meters = fleet.meters.filter((m) => m.customerIndex === i);
      expect(meters.reduce((s, m) => s + m.loadShare, 0)).toBeCloseTo(1, 9);
      expect(meters.filter((m) => m.isMain)).toHaveLength(1);
    }
  });

  it('leaves the asked number of meters without a concentrator and spreads the others', () => {
    expect(fleet.meters.filter((m) => m.concentratorId === null)).toHaveLength(3);
    const perConcentrator = fleet.concentrators.map((c) => fleet.meters.filter((m) => m.concentratorId === c.id).length);
    expect(Math.min(...perConcentrator)).toBeGreaterThan(50);
  });

  it('uses ids of letters and digits, unique per meter', () => {
    const ids = fleet.meters.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...ids, ...fleet.customers.map((c) => c.id), ...fleet.concentrators.map((c) => c.id)]) expect(id).toMatch(/^[A-Za-z0-9]{1,64}$/);
  });
});

describe('archiveCsv', () => {
  const fleet = createFleet({ meters: 500, concentrators: 5, seed: 2 });
  const csv = archiveCsv(fleet);

  it('starts with the exact header', () => {
    expect(csv.split('\n')[0]).toBe(HEADER);
  });

  it('reads back with a CSV parser: one row per meter, quoted names intact, classes joined by |', () => {
    const rows: Record<string, string>[] = parse(csv, { columns: true });
    expect(rows).toHaveLength(500);
    expect(csv).toContain('"'); // Latin names such as "..., Co., Ltd." need quoting
    rows.forEach((row, i) => {
      const m = fleet.meters[i];
      const c = fleet.customers[m.customerIndex];
      expect(row.meter_id).toBe(m.id);
      expect(row.customer_name).toBe(c.name);
      expect(row.address).toBe(c.address);
      expect(row.classes.split('|')).toEqual(c.classes);
      expect(Number(row.ct_ratio) * Number(row.pt_ratio)).toBe(m.ctRatio * m.ptRatio);
    });
  });
});
