import { describe, expect, it } from 'vitest';
import type { ArchiveColumn, RawArchiveRow } from './columns.js';
import { MAX_LISTED_ERRORS, validateArchive } from './validate.js';

type Values = Partial<Record<ArchiveColumn, unknown>>;

const GOOD: Values = {
  customer_id: 'C001',
  customer_name: '上海华东电机有限公司',
  classes: 'TOP100|KEY',
  address: '张江路 1 号',
  phone: '021-5555',
  account_manager: '李明',
  contract_kva: '800',
  pf_standard: '0.9',
  lat: '31.2',
  lon: '121.5',
  meter_id: 'M001',
  concentrator_id: 'T01',
  wiring: '3P4W',
  nominal_voltage_v: '380',
  rated_current_a: '1.5',
  ct_ratio: '80',
  pt_ratio: '1',
  values_side: 'secondary',
};

const row = (line: number, patch: Values = {}): RawArchiveRow => ({ line, values: { ...GOOD, ...patch } });

describe('validateArchive', () => {
  it('builds customers, meters and concentrators from good rows', () => {
    const result = validateArchive([row(2), row(3, { meter_id: 'M002', concentrator_id: '' }), row(4, { meter_id: 'M003' })]);
    expect(result).toEqual({
      ok: true,
      archive: {
        customers: [
          {
            id: 'C001', name: '上海华东电机有限公司', classes: ['KEY', 'TOP100'], address: '张江路 1 号', phone: '021-5555',
            accountManager: '李明', contractKva: 800, pfStandard: 0.9, lat: 31.2, lon: 121.5,
          },
        ],
        meters: [
          { id: 'M001', customerId: 'C001', concentratorId: 'T01', wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: 1.5, ctRatio: 80, ptRatio: 1, valuesSide: 'secondary' },
          expect.objectContaining({ id: 'M002', concentratorId: null }),
          expect.objectContaining({ id: 'M003', concentratorId: 'T01' }),
        ],
        concentrators: ['T01'],
      },
    });
  });

  it('accepts JSON numbers, a JSON array of classes and absent optional fields', () => {
    const values: Values = { ...GOOD, contract_kva: 800, ct_ratio: 80, nominal_voltage_v: 10000, classes: ['DEDICATED'] };
    for (const k of ['address', 'phone', 'account_manager', 'contract_kva', 'pf_standard', 'lat', 'lon', 'concentrator_id', 'rated_current_a', 'pt_ratio'] as const) delete values[k];
    const result = validateArchive([{ line: 1, values }]);
    expect(result.ok && result.archive.customers[0]).toMatchObject({ classes: ['DEDICATED'], address: '', contractKva: null, lat: null });
    expect(result.ok && result.archive.meters[0]).toMatchObject({ nominalVoltageV: 10000, ctRatio: 80, ptRatio: 1, ratedCurrentA: null });
  });

  it.each<[string, Values, string, string]>([
    ['missing customer id', { customer_id: ' ' }, 'customer_id', 'is required'],
    ['customer id with a space', { customer_id: 'C 1' }, 'customer_id', 'must be 1-64 letters'],
    ['customer id of 65 characters', { customer_id: 'C'.repeat(65) }, 'customer_id', 'must be 1-64 letters'],
    ['meter id with a slash', { meter_id: 'M/1' }, 'meter_id', 'must be 1-64 letters'],
    ['concentrator id with a plus', { concentrator_id: 'T+1' }, 'concentrator_id', 'must be 1-64 letters'],
    ['missing name', { customer_name: '' }, 'customer_name', 'is required'],
    ['missing classes', { classes: '' }, 'classes', 'is required'],
    ['empty JSON class list', { classes: [] }, 'classes', 'is required'],
    ['unknown class', { classes: 'KEY|VIP' }, 'classes', 'unknown class "VIP"'],
    ['object as a name', { customer_name: { zh: 'x' } }, 'customer_name', 'must be text'],
    ['text as a number', { contract_kva: 'lots' }, 'contract_kva', '"lots" is not a number'],
    ['hex number', { ct_ratio: '0x50' }, 'ct_ratio', 'is not a number'],
    ['zero ct ratio', { ct_ratio: '0' }, 'ct_ratio', 'must be greater than 0'],
    ['negative pt ratio', { pt_ratio: -100 }, 'pt_ratio', 'must be greater than 0'],
    ['zero nominal voltage', { nominal_voltage_v: '0' }, 'nominal_voltage_v', 'must be greater than 0'],
    ['missing nominal voltage', { nominal_voltage_v: '' }, 'nominal_voltage_v', 'is required'],
    ['negative rated current', { rated_current_a: '-5' }, 'rated_current_a', 'must be greater than 0'],
    ['pf standard of 0', { pf_standard: '0' }, 'pf_standard', 'greater than 0 and at most 1'],
    ['pf standard over 1', { pf_standard: '1.01' }, 'pf_standard', 'greater than 0 and at most 1'],
    ['latitude over 90', { lat: '90.5' }, 'lat', 'between -90 and 90'],
    ['longitude under -180', { lon: '-181' }, 'lon', 'between -180 and 180'],
    ['latitude without longitude', { lon: '' }, 'lon', 'give both or neither'],
    ['unknown wiring', { wiring: '3P5W' }, 'wiring', '"3P5W" is not one of 1P, 3P3W, 3P4W'],
    ['lower-case wiring', { wiring: '3p4w' }, 'wiring', 'is not one of'],
    ['missing wiring', { wiring: '' }, 'wiring', 'is required'],
    ['unknown values side', { values_side: 'both' }, 'values_side', 'is not one of secondary, primary'],
    ['missing values side', { values_side: undefined }, 'values_side', 'is required'],
  ])('reports %s', (_, patch, column, reason) => {
    const result = validateArchive([row(2), row(3, { meter_id: 'M002', customer_id: 'C002', ...patch })]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([{ line: 3, column, reason: expect.stringContaining(reason) }]);
  });

  it('accepts pf standard 1 and the coordinate limits', () => {
    expect(validateArchive([row(2, { pf_standard: '1', lat: '-90', lon: '180' })]).ok).toBe(true);
  });

  it('reports a meter id used twice with the first line', () => {
    const result = validateArchive([row(2), row(3, { customer_id: 'C002' })]);
    expect(!result.ok && result.errors).toEqual([{ line: 3, column: 'meter_id', reason: 'meter M001 is already on line 2' }]);
  });

  it('reports a repeated meter id on a row that has other bad fields too', () => {
    const result = validateArchive([row(2, { wiring: '' }), row(3, { customer_id: 'C002', classes: 'VIP' })]);
    expect(!result.ok && result.errors.map((e) => `${e.line}:${e.column}`)).toEqual(['2:wiring', '3:classes', '3:meter_id']);
  });

  it('reports each customer field that differs between rows of the same customer', () => {
    const result = validateArchive([row(2), row(3, { meter_id: 'M002', customer_name: '别的公司', classes: 'KEY', lat: '31.3' })]);
    expect(!result.ok && result.errors.map((e) => e.column)).toEqual(['customer_name', 'classes', 'lat']);
    expect(!result.ok && result.errors[0].reason).toBe('customer C001 has "别的公司" here but "上海华东电机有限公司" on line 2');
  });

  it('treats the same classes in another order or repeated as the same customer', () => {
    expect(validateArchive([row(2), row(3, { meter_id: 'M002', classes: 'KEY|TOP100|KEY' })]).ok).toBe(true);
  });

  it('lists every bad field of every row, with errors found while reading, by line', () => {
    const result = validateArchive(
      [row(2, { wiring: 'X', ct_ratio: '0' }), row(3, { meter_id: 'M002' }), row(5, { meter_id: '', customer_id: 'C002', classes: 'NOPE' })],
      [{ line: 4, column: '', reason: 'has 2 fields, the header has 18' }],
    );
    expect(!result.ok && result.errors.map((e) => `${e.line}:${e.column}`)).toEqual([
      '2:wiring', '2:ct_ratio', '4:', '5:classes', '5:meter_id',
    ]);
  });

  it('reports an archive with no rows', () => {
    expect(validateArchive([])).toEqual({ ok: false, errors: [{ line: 1, column: '', reason: 'the archive has no meter rows' }] });
  });

  it(`lists at most ${MAX_LISTED_ERRORS} errors and says how many more there are`, () => {
    const rows = Array.from({ length: MAX_LISTED_ERRORS + 5 }, (_, i) => row(i + 2, { meter_id: `M${i}`, wiring: 'X' }));
    const result = validateArchive(rows);
    expect(!result.ok && result.errors).toHaveLength(MAX_LISTED_ERRORS + 1);
    expect(!result.ok && result.errors.at(-1)).toEqual({ line: MAX_LISTED_ERRORS + 2, column: '', reason: '5 more errors not listed' });
  });
});
