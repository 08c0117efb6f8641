/**
 * `npm run bench`: the service as a child process on the machine's PostgreSQL, a lean load
 * generator in another, and the peers (psql \copy, bare aedes, Mosquitto) in the same run.
 * A readable report goes to stderr; with --json the last stdout line is one JSON document.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { batched } from './batched.js';
import { ROOT } from './children.js';
import { connections } from './connections.js';
import { log, type Ctx } from './context.js';
import { latency } from './latency.js';
import { parseOptions, type Scenario } from './options.js';
import { mosquittoVersion } from './peers.js';
import { topFrames } from './profile.js';
import { query } from './query.js';
import { REQUIRED_KEYS } from './required-keys.js';
import { adminSql, DATABASE_URL, startServiceChild } from './service.js';
import { single } from './single.js';
import { buildWorkload, QUARTER_MS } from './workload.js';

const SCENARIO_RUNNERS: Record<Scenario, (ctx: Ctx) => Promise<void>> = { batched, single, latency, connections, query };


async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedMs = Date.now();
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const tmpDir = mkdtempSync(join(tmpdir(), 'loadwatch-bench-'));
  const profDir = opts.cpuProf ? join(tmpDir, 'prof') : undefined;
  const pgVersion = await pgServerVersion();
  const versions = {
    node: process.version,
    postgres: pgVersion,
    aedes: (JSON.parse(readFileSync(join(ROOT, 'node_modules/aedes/package.json'), 'utf8')) as { version: string }).version,
    mosquitto: await mosquittoVersion(),
  };
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem() };
  const workload = buildWorkload(opts.meters, opts.seed, opts.quick ? 200 : 1000);
  await adminSql(`CREATE SCHEMA ${schema}`);
  const svc = await startServiceChild(schema, profDir);
  const ctx: Ctx = {
    opts, svc, schema, workload, tmpDir, phases: [], results: {}, lines: [], notes: [],
    tsCursorMs: Math.floor((Date.now() - 300 * 86_400_000) / QUARTER_MS) * QUARTER_MS,
  };
  try {
    log(ctx, `loadwatch bench${opts.quick ? ' (quick)' : ''}: ${machine.cpus} x ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB;` +
      ` node ${versions.node}, PostgreSQL ${versions.postgres}, aedes ${versions.aedes}, mosquitto ${versions.mosquitto}; seed ${opts.seed}`);
    const imported = await fetch(`${svc.base}/api/archive/import`, { method: 'POST', headers: { ...svc.headers, 'content-type': 'text/csv' }, body: workload.archiveCsv });
    if (!imported.ok) throw new Error(`archive import failed: ${imported.status} ${await imported.text()}`);
    log(ctx, `archive: ${workload.fleet.meters.length} fleet meters behind ${workload.fleet.concentrators.length} concentrators + ${workload.probeMeters.length} probe meters imported`);
    for (const s of opts.scenarios) {
      log(ctx, `\n== ${s}`);
      await SCENARIO_RUNNERS[s](ctx);
    }
  } finally {
    await svc.stop();
    await adminSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((err: Error) => process.stderr.write(`dropping schema ${schema} failed: ${err.message}\n`));
  }
  if (profDir) {
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      log(ctx, `\nservice CPU profile (${join(profDir, file)}), top self time:`);
      for (const f of topFrames(join(profDir, file))) log(ctx, `  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.frame}`);
    }
  } else rmSync(tmpDir, { recursive: true, force: true });

  const disturbed = ctx.phases.filter((p) => p.disturbed).map((p) => p.name);
  log(ctx, `\n== summary (${((Date.now() - startedMs) / 1000).toFixed(0)} s)`);
  for (const [k, v] of Object.entries(ctx.results)) log(ctx, `  ${k.padEnd(34)} ${v}`);
  if (disturbed.length) log(ctx, `  phases disturbed by outside CPU load: ${disturbed.join('; ')}`);
  for (const n of ctx.notes) log(ctx, `  note: ${n}`);

  const results = Object.fromEntries(REQUIRED_KEYS.map((k) => [k, ctx.results[k] ?? null]));
  const doc = {
    ...results,
    ...ctx.results,
    quick: opts.quick,
    scenarios: opts.scenarios,
    seconds: opts.seconds,
    seed: opts.seed,
    versions,
    machine,
    phases: ctx.phases,
    disturbedPhases: disturbed,
    notes: ctx.notes,
    elapsedS: Math.round((Date.now() - startedMs) / 1000),
  };
  if (opts.json) process.stdout.write(JSON.stringify(doc) + '\n');
}

async function pgServerVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
