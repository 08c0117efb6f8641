import { readFileSync } from 'node:fs';

/**
 * `npm start`'s node flags (package.json: `node <flags> --import tsx src/main.ts`), so a child started as operators
 * start the service gets the same ones.
 */
export function startScriptFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  return words.slice(1, words.indexOf('--import'));
}
