import { isArchiveColumn, type ArchiveError, type RawArchiveRow } from './columns.js';
import type { ParsedArchiveFile } from './csv.js';

/**
 * Reads an archive sent as JSON: an array of row objects, or {"rows": [...]}, with the CSV column names
 * as keys. A row's line is its 1-based position in the array; absent keys count as empty fields.
 */
export function parseArchiveJson(text: string): ParsedArchiveFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { rows: [], errors: [{ line: 1, column: '', reason: `not valid JSON: ${(err as Error).message}` }] };
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.rows) ? doc.rows : undefined;
  if (!list) return { rows: [], errors: [{ line: 1, column: '', reason: 'expected an array of rows or {"rows": [...]}' }] };

  const rows: RawArchiveRow[] = [];
  const errors: ArchiveError[] = [];
  list.forEach((item: unknown, i: number) => {
    const line = i + 1;
    if (!isObject(item)) {
      errors.push({ line, column: '', reason: 'a row must be an object' });
      return;
    }
    const values: RawArchiveRow['values'] = {};
    for (const [key, value] of Object.entries(item)) {
      if (isArchiveColumn(key)) values[key] = value;
      else errors.push({ line, column: key, reason: 'unknown column' });
    }
    rows.push({ line, values });
  });
  return { rows, errors };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
