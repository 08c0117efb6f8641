import type { ArchiveError } from './columns.js';
import { parseArchiveCsv } from './csv.js';
import { parseArchiveJson } from './json.js';
import type { ArchiveStore, ImportCounts } from './store.js';
import { validateArchive, type Archive } from './validate.js';

export type ArchiveFormat = 'csv' | 'json';

/** On success also the archive as imported: what issuing the imported devices' credentials works from. */
export type ImportOutcome = { ok: true; counts: ImportCounts; archive: Archive } | { ok: false; errors: ArchiveError[] };

/**
 * Reads, validates and imports an archive file's text: nothing is written unless every row is good.
 * Shared by the CLI and POST /api/archive/import; the caller refreshes its ArchiveCache after { ok: true }.
 */
export async function importArchiveText(
  store: Pick<ArchiveStore, 'importArchive'>,
  text: string,
  format: ArchiveFormat,
): Promise<ImportOutcome> {
  const { rows, errors } = format === 'csv' ? parseArchiveCsv(text) : parseArchiveJson(text);
  const result = validateArchive(rows, errors);
  if (!result.ok) return result;
  return { ok: true, counts: await store.importArchive(result.archive), archive: result.archive };
}

/** `line N, column X: reason`, the way the CLI prints an error (and a route may put it in a message). */
export function formatArchiveError(e: ArchiveError): string {
  return e.column === '' ? `line ${e.line}: ${e.reason}` : `line ${e.line}, column ${e.column}: ${e.reason}`;
}

export function formatImportCounts(c: ImportCounts): string {
  return `${c.customers} customers, ${c.meters} meters, ${c.concentrators} concentrators (${c.created} created, ${c.updated} updated)`;
}
