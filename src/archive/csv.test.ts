import { describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from './columns.js';
import { parseArchiveCsv } from './csv.js';

const HEADER = ARCHIVE_COLUMNS.join(',');
const ROW_1 = 'C001,"上海华东电机有限公司, 二厂",KEY|TOP100,"浦东新区, 张江路 1 号",021-5555,李明,800,0.9,31.2,121.5,M001,T01,3P4W,380,1.5,80,1,secondary';
const ROW_2 = 'C002,Zhang San,RESIDENTIAL,,,,,,,,M002,,1P,220,60,1,1,primary';

describe('parseArchiveCsv', () => {
  it.each([
    ['LF', `${HEADER}\n${ROW_1}\n${ROW_2}\n`],
    ['CRLF', `${HEADER}\r\n${ROW_1}\r\n${ROW_2}\r\n`],
    ['BOM and CRLF', `\uFEFF${HEADER}\r\n${ROW_1}\r\n${ROW_2}`],
  ])('reads quoted commas and Chinese text (%s)', (_, text) => {
    const { rows, errors } = parseArchiveCsv(text);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(rows[0].values).toMatchObject({
      customer_id: 'C001',
      customer_name: '上海华东电机有限公司, 二厂',
      address: '浦东新区, 张江路 1 号',
      classes: 'KEY|TOP100',
      ct_ratio: '80',
    });
    expect(rows[1].values.values_side).toBe('primary');
  });

  it('accepts the columns in any order and with spaces around header names', () => {
    const reversed = [...ARCHIVE_COLUMNS].reverse();
    const cells = ROW_2.split(',').reverse();
    const { rows, errors } = parseArchiveCsv(`${reversed.join(' , ')}\n${cells.join(',')}`);
    expect(errors).toEqual([]);
    expect(rows[0].values).toMatchObject({ customer_id: 'C002', meter_id: 'M002', wiring: '1P' });
  });

  it('numbers rows by the line they start on when a quoted field spans lines', () => {
    const multiLine = ROW_1.replace('浦东新区, 张江路 1 号', '浦东新区\r\n张江路 1 号');
    const { rows } = parseArchiveCsv(`${HEADER}\r\n\r\n${multiLine}\r\n${ROW_2}\r\n`);
    expect(rows.map((r) => r.line)).toEqual([3, 5]);
    expect(rows[0].values.address).toBe('浦东新区\r\n张江路 1 号');
  });

  it.each([
    ['a missing column', HEADER.replace(',phone', ''), [{ line: 1, column: 'phone', reason: 'missing column' }]],
    ['an unknown column', `${HEADER},tariff`, [{ line: 1, column: 'tariff', reason: 'unknown column' }]],
    ['a misspelt column', HEADER.replace('ct_ratio', 'ctRatio'), [
      { line: 1, column: 'ctRatio', reason: 'unknown column' },
      { line: 1, column: 'ct_ratio', reason: 'missing column' },
    ]],
    ['a repeated column', `${HEADER},lat`, [{ line: 1, column: 'lat', reason: 'column appears twice' }]],
  ])('rejects a header with %s', (_, header, errors) => {
    expect(parseArchiveCsv(`${header}\n${ROW_2}\n`)).toEqual({ rows: [], errors });
  });

  it('reports rows with the wrong number of fields and keeps the others', () => {
    const { rows, errors } = parseArchiveCsv(`${HEADER}\n${ROW_2},extra\n${ROW_1}\nC3,short\n`);
    expect(rows.map((r) => r.line)).toEqual([3]);
    expect(errors).toEqual([
      { line: 2, column: '', reason: 'has 19 fields, the header has 18' },
      { line: 4, column: '', reason: 'has 2 fields, the header has 18' },
    ]);
  });

  it.each([
    ['an empty file', '', 1, 'the file is empty'],
    ['an unclosed quote', `${HEADER}\n${ROW_2}\nC3,"open`, 3, 'not readable as CSV'],
  ])('reports %s', (_, text, line, reason) => {
    const { errors } = parseArchiveCsv(text);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(line);
    expect(errors[0].reason).toContain(reason);
  });
});
