import { parse } from 'csv-parse/sync';
import { ARCHIVE_COLUMNS, isArchiveColumn, type ArchiveColumn, type ArchiveError, type RawArchiveRow } from './columns.js';

/** Rows that could be read, and what made the others (or the whole file) unreadable. */
export interface ParsedArchiveFile {
  rows: RawArchiveRow[];
  errors: ArchiveError[];
}

interface CsvRecord {
  record: string[];
  /** UTF-8 bytes consumed once the record (and its line break) was read. */
  info: { bytes: number };
}

/**
 * Reads an archive CSV: UTF-8 with or without BOM, CRLF or LF, RFC 4180 quoting. Pure: the caller reads the file.
 * A bad header stops here (no row can be mapped); a row with the wrong number of fields is reported and skipped.
 */
export function parseArchiveCsv(text: string): ParsedArchiveFile {
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as CsvRecord[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { rows: [], errors: [{ line: e.lines ?? 1, column: '', reason: `not readable as CSV: ${e.message}` }] };
  }
  if (records.length === 0) return { rows: [], errors: [{ line: 1, column: '', reason: 'the file is empty' }] };

  const lines = startLines(text, records);
  const [header, ...data] = records;
  const headerErrors = checkHeader(header.record);
  if (headerErrors.length > 0) return { rows: [], errors: headerErrors };

  const names = header.record.map((h) => h.trim()) as ArchiveColumn[];
  const rows: RawArchiveRow[] = [];
  const errors: ArchiveError[] = [];
  for (const [i, { record }] of data.entries()) {
    const line = lines[i + 1];
    if (record.length !== names.length) {
      errors.push({ line, column: '', reason: `has ${record.length} fields, the header has ${names.length}` });
      continue;
    }
    const values: RawArchiveRow['values'] = {};
    names.forEach((name, i) => (values[name] = record[i]));
    rows.push({ line, values });
  }
  return { rows, errors };
}

function checkHeader(cells: string[]): ArchiveError[] {
  const names = cells.map((c) => c.trim());
  const errors: ArchiveError[] = [];
  names.forEach((name, i) => {
    if (!isArchiveColumn(name)) errors.push({ line: 1, column: name, reason: 'unknown column' });
    else if (names.indexOf(name) !== i) errors.push({ line: 1, column: name, reason: 'column appears twice' });
  });
  for (const column of ARCHIVE_COLUMNS) {
    if (!names.includes(column)) errors.push({ line: 1, column, reason: 'missing column' });
  }
  return errors;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The file line each record starts on. csv-parse's own line count drifts by one for every CRLF inside
 * a quoted field, so lines are counted here from the byte offsets it reports.
 */
function startLines(text: string, records: CsvRecord[]): number[] {
  const bytes = new TextEncoder().encode(text);
  const starts: number[] = [];
  let pos = 0;
  let line = 1;
  for (const { info } of records) {
    // Skipped empty lines sit between the previous record and this one.
    for (; pos < bytes.length && (bytes[pos] === CR || bytes[pos] === LF); pos++) if (bytes[pos] === LF) line++;
    starts.push(line);
    for (; pos < info.bytes; pos++) if (bytes[pos] === LF) line++;
  }
  return starts;
}
