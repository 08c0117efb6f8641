import { describe, expect, it } from 'vitest';
import { parseArchiveJson } from './json.js';

const ROW = { customer_id: 'C1', meter_id: 'M1', ct_ratio: 80 };

describe('parseArchiveJson', () => {
  it.each([
    ['an array of rows', JSON.stringify([ROW, ROW])],
    ['{"rows": [...]} with a BOM', `\uFEFF${JSON.stringify({ rows: [ROW, ROW] })}`],
  ])('reads %s, numbering rows from 1', (_, text) => {
    expect(parseArchiveJson(text)).toEqual({ rows: [{ line: 1, values: ROW }, { line: 2, values: ROW }], errors: [] });
  });

  it('reports unknown keys and non-object rows, keeping the known fields', () => {
    const { rows, errors } = parseArchiveJson(JSON.stringify([{ ...ROW, ctRatio: 80 }, 'M2', ROW]));
    expect(rows).toEqual([{ line: 1, values: ROW }, { line: 3, values: ROW }]);
    expect(errors).toEqual([
      { line: 1, column: 'ctRatio', reason: 'unknown column' },
      { line: 2, column: '', reason: 'a row must be an object' },
    ]);
  });

  it.each([
    ['broken JSON', '[{', 'not valid JSON'],
    ['an object without rows', '{"meters": []}', 'expected an array of rows'],
    ['a bare string', '"rows"', 'expected an array of rows'],
  ])('rejects %s', (_, text, reason) => {
    const { rows, errors } = parseArchiveJson(text);
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ line: 1, column: '', reason: expect.stringContaining(reason) }]);
  });
});
