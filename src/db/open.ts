import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Sql } from './sql.js';
import { openPg } from './sql.pg.js';
import { openPglite } from './sql.pglite.js';

/** A PostgreSQL server when DATABASE_URL is set, embedded PGlite under DATA_DIR otherwise. */
export async function openDatabase(config: Config, onError: (err: Error) => void): Promise<Sql> {
  if (config.database.url) {
    return openPg({ url: config.database.url, schema: config.database.schema, onError });
  }
  const dir = join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openPglite({ dataDir: dir });
}
