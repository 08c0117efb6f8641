import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { PgArchiveStore } from './archive.pg.js';
import { formatArchiveError, formatImportCounts, importArchiveText, type ArchiveFormat } from './import.js';

const USAGE = 'usage: npm run archive:import -- [--format csv|json] FILE\n';

/** npm run archive:import -- FILE: imports an archive file into the configured database. Returns the exit code. */
async function main(argv: string[]): Promise<number> {
  const args = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (args.values.help) return print(process.stdout, USAGE, 0);
  if (args.positionals.length !== 1) return print(process.stderr, USAGE, 2);
  const file = args.positionals[0];
  const format = args.values.format ?? extname(file).slice(1).toLowerCase();
  if (!isFormat(format)) return print(process.stderr, `cannot tell the format of ${file}: name it .csv or .json, or pass --format\n${USAGE}`, 2);

  const loaded = loadConfig();
  if (!loaded.ok) return print(process.stderr, loaded.errors.map((e) => `${e}\n`).join(''), 2);
  const text = await readFile(file, 'utf8');
  const sql = await openDatabase(loaded.config, (err) => process.stderr.write(`database: ${err.message}\n`));
  try {
    await migrate(sql);
    const outcome = await importArchiveText(new PgArchiveStore(sql), text, format);
    if (!outcome.ok) {
      const lines = outcome.errors.map((e) => `${formatArchiveError(e)}\n`).join('');
      return print(process.stderr, `${lines}${file}: nothing imported\n`, 1);
    }
    return print(process.stdout, `${file}: imported ${formatImportCounts(outcome.counts)}\n`, 0);
  } finally {
    await sql.close();
  }
}

function isFormat(f: string): f is ArchiveFormat {
  return f === 'csv' || f === 'json';
}

function print(stream: NodeJS.WriteStream, text: string, code: number): number {
  stream.write(text);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`archive import failed: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  },
);
