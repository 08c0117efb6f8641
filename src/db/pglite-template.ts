import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * initdb inside PGlite's WebAssembly takes seconds; restoring a dump of a freshly initialised
 * cluster takes a fraction of one. `npm install` prepares that dump once (postinstall), so the
 * first `npm start` on a new machine listens within its start-up budget. Keyed by the PGlite
 * version, because a dump is only valid for the version that made it.
 */
const TEMPLATE = templatePath();

function templatePath(): string {
  // The package exports no package.json: walk up from its entry point to find its version.
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return join(dir, '..', '..', '.cache', 'loadwatch', `pglite-${version}.tgz`);
}

export async function readTemplate(): Promise<Blob | undefined> {
  if (!existsSync(TEMPLATE)) return undefined;
  return new Blob([await readFile(TEMPLATE)]);
}

export async function writeTemplate(): Promise<string> {
  const db = await PGlite.create();
  const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
  await db.close();
  await mkdir(dirname(TEMPLATE), { recursive: true });
  await writeFile(`${TEMPLATE}.tmp`, dump);
  await rename(`${TEMPLATE}.tmp`, TEMPLATE);
  return TEMPLATE;
}

/** A data directory PGlite has already initialised. */
export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}
