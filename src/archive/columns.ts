/**
 * The archive file format: one row per meter, the customer's columns repeated on each of its meters.
 * CSV headers and JSON keys use exactly these names.
 */
export const ARCHIVE_COLUMNS = [
  'customer_id',
  'customer_name',
  'classes',
  'address',
  'phone',
  'account_manager',
  'contract_kva',
  'pf_standard',
  'lat',
  'lon',
  'meter_id',
  'concentrator_id',
  'wiring',
  'nominal_voltage_v',
  'rated_current_a',
  'ct_ratio',
  'pt_ratio',
  'values_side',
] as const;

export type ArchiveColumn = (typeof ARCHIVE_COLUMNS)[number];

export function isArchiveColumn(name: string): name is ArchiveColumn {
  return (ARCHIVE_COLUMNS as readonly string[]).includes(name);
}

/** One row as read from a file, before validation. JSON rows may carry numbers, CSV rows only strings. */
export interface RawArchiveRow {
  /** CSV: the 1-based file line the row starts on (header = line 1). JSON: the 1-based position in the rows array. */
  line: number;
  values: Partial<Record<ArchiveColumn, unknown>>;
}

/** One problem in an archive file; column is '' when it concerns the whole row or file. */
export interface ArchiveError {
  line: number;
  column: string;
  reason: string;
}
