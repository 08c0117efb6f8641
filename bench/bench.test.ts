import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './children.js';
import { REQUIRED_KEYS } from './required-keys.js';

// A smoke run, never a speed: the bench starts, runs every scenario and reports every key as a number.
describe('npm run bench -- --quick --json', () => {
  it('runs every scenario and ends with one JSON document holding every key as a number', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--json'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SMOKE: '1' },
      encoding: 'utf8',
      timeout: 230_000,
    });
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    const doc = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    for (const key of REQUIRED_KEYS) expect(Number.isFinite(doc[key]), `${key} = ${String(doc[key])}`).toBe(true);
    expect(doc.versions).toMatchObject({ node: process.version, postgres: expect.any(String), aedes: expect.any(String) });
    expect(doc.machine).toMatchObject({ cpus: expect.any(Number), memoryBytes: expect.any(Number) });
  }, 240_000);
});
