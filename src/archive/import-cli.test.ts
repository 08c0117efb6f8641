import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, uniqueName } from '../../test/support/db.js';
import { openPg, quoteIdent } from '../db/sql.pg.js';
import { SAMPLE_CSV } from './archive.fixture.js';

const run = promisify(execFile);
const CLI = new URL('./import-cli.ts', import.meta.url).pathname;

describe('npm run archive:import (a child process against PostgreSQL)', () => {
  const schema = uniqueName('lw_cli');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archive-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    const sql = await openPg({ url: TEST_DATABASE_URL });
    await sql.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await sql.close();
  });

  async function cli(name: string, text: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const file = join(dir, name);
    await writeFile(file, text);
    const env = { ...process.env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' };
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, file], { env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('prints every error with its line and column, exits 1 and imports nothing', async () => {
    const bad = `\uFEFF${SAMPLE_CSV}\r\nC004,Bad,VIP,,,,,,,,M001,,1P,220,60,1,1,primary\r\nC005,Short\r\n`;
    const result = await cli('bad.csv', bad);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'line 6, column classes: unknown class "VIP"',
      'line 6, column meter_id: meter M001 is already on line 2',
      'line 7: has 2 fields, the header has 18',
      `${join(dir, 'bad.csv')}: nothing imported`,
      '',
    ]);
    const sql = await openPg({ url: TEST_DATABASE_URL, schema });
    expect((await sql.query('SELECT 1 FROM customers')).rowCount).toBe(0);
    await sql.close();
  });

  it('imports a good file and prints a one-line summary', async () => {
    const result = await cli('good.csv', SAMPLE_CSV);
    expect(result).toEqual({
      code: 0,
      stdout: `${join(dir, 'good.csv')}: imported 3 customers, 4 meters, 2 concentrators (9 created, 0 updated)\n`,
      stderr: '',
    });
  });

  it('refuses a file whose format it cannot tell', async () => {
    const result = await cli('archive.txt', SAMPLE_CSV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('name it .csv or .json');
  });
});
