/** Scenario batched: concentrators' 100-sample QoS 1 messages; the highest rate whose backlog stays bounded, against psql \copy. */
import { join } from 'node:path';
import { advanceCursor, drained, log, phase, round, writeSenders, type Ctx } from './context.js';
import { LoadGen, type RunResult } from './loadgen-client.js';
import { cpuSeconds } from './machine.js';
import { createCopyTables, timeCopy, writeCopyFiles } from './peers.js';
import { adminSql } from './service.js';
import { batchedSenders } from './workload.js';

interface Measured {
  run: RunResult;
  evaluatedPerSec: number;
  ackedPerSec: number;
  backlogEnd: number;
  backlogMax: number;
  /** Samples stored at the end whose rules had not run yet. */
  rulesPendingEnd: number;
  /** CPU microseconds per stored sample: the service's (every thread) and PostgreSQL's. */
  serviceCpuUs: number;
  postgresCpuUs: number;
  /** Stored samples per ingest batch: a service at a lower rate works in smaller batches, each with its fixed costs. */
  samplesPerBatch: number;
  /** Alarm changes (created, updated, cleared...) per 1,000 stored samples: each is rows written by the rules. */
  alarmChangesPerK: number;
}

/** CPU per stored sample between two readings: rates drift with the machine, CPU per sample much less. */
function cpuPerSample(before: ReturnType<typeof cpuSeconds>, after: ReturnType<typeof cpuSeconds>, samples: number): Pick<Measured, 'serviceCpuUs' | 'postgresCpuUs'> {
  return { serviceCpuUs: ((after.process - before.process) * 1e6) / samples, postgresCpuUs: ((after.postgres - before.postgres) * 1e6) / samples };
}

type Metrics = Awaited<ReturnType<Ctx['svc']['metrics']>>;
const perBatch = (before: Metrics, after: Metrics) => (after.evaluated - before.evaluated) / Math.max(1, after.batches - before.batches);
const alarmChangesPerK = (before: Metrics, after: Metrics) => ((after.alarmChanges - before.alarmChanges) * 1000) / Math.max(1, after.evaluated - before.evaluated);

/** Runs the generator while sampling the service's counters; stored rate = samples stored and evaluated over the run. */
async function measure(ctx: Ctx, gen: LoadGen, seconds: number, ratePerSec: number): Promise<Measured> {
  const before = await ctx.svc.metrics();
  const cpuBefore = cpuSeconds(ctx.svc.pid);
  const startedMs = performance.now();
  let backlogMax = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      backlogMax = Math.max(backlogMax, (await ctx.svc.metrics()).backlog);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const run = await gen.run(seconds, ratePerSec, ctx.tsCursorMs);
  const after = await ctx.svc.metrics();
  const cpu = cpuPerSample(cpuBefore, cpuSeconds(ctx.svc.pid), after.evaluated - before.evaluated);
  const elapsedS = (performance.now() - startedMs) / 1000;
  sampling = false;
  await sampler;
  advanceCursor(ctx, run.lastTsMs);
  return {
    run, evaluatedPerSec: (after.evaluated - before.evaluated) / elapsedS, ackedPerSec: run.samplesAcked / (run.elapsedMs / 1000),
    backlogEnd: after.backlog, backlogMax, rulesPendingEnd: after.rulesPending, samplesPerBatch: perBatch(before, after), alarmChangesPerK: alarmChangesPerK(before, after), ...cpu,
  };
}

const cpuText = (c: Pick<Measured, 'serviceCpuUs' | 'postgresCpuUs' | 'samplesPerBatch' | 'alarmChangesPerK'>) =>
  `CPU per sample: service ${c.serviceCpuUs.toFixed(1)} us, PostgreSQL ${c.postgresCpuUs.toFixed(1)} us; ${round(c.samplesPerBatch)} samples per batch; ` +
  `${c.alarmChangesPerK.toFixed(1)} alarm changes per 1,000 samples`;

/**
 * The service's telemetry tables have grown through the run while the peer copies into empty ones: once their
 * (meter_id, ts) indexes outgrow shared_buffers, most of PostgreSQL's CPU per row goes to index pages evicted and
 * read back. Reported so the CPU figures can be read against it.
 */
async function reportIndexSize(ctx: Ctx): Promise<void> {
  const [row] = await adminSql<{ indexes: string; shared: string }>(
    `SELECT sum(pg_relation_size(i.indexrelid))::text AS indexes, current_setting('shared_buffers') AS shared
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = '${ctx.schema}' AND c.relname LIKE 'telemetry\\_%'`,
  );
  ctx.results.telemetryIndexBytes = Number(row.indexes);
  log(ctx, `  telemetry indexes at the end: ${(Number(row.indexes) / 2 ** 20).toFixed(0)} MB (shared_buffers ${row.shared})`);
}

export async function batched(ctx: Ctx): Promise<void> {
  const { opts } = ctx;
  const senders = batchedSenders(ctx.workload.fleet);
  const templates = senders.flatMap((s) => s.templates);
  const samplesPerMsg = templates.reduce((n, t) => n + t.samples, 0) / templates.length;
  const gen = new LoadGen();
  try {
    await gen.connect({ port: ctx.svc.mqttPort, sendersFile: writeSenders(ctx, 'batched', senders), window: opts.quick ? 8 : 4 });
    log(ctx, `batched: ${senders.length} concentrator connections, ${samplesPerMsg.toFixed(1)} samples per message, QoS 1`);

    // Copy peer data: the same rows the generator sends, ~as many as the service stores in one run.
    const fileOf = (kind: string) => join(ctx.tmpDir, `copy-${kind}.tsv`);
    const copyRows = await writeCopyFiles(senders, opts.quick ? 40 : 100, Date.UTC(2019, 0, 1), fileOf);
    await createCopyTables(ctx.schema);

    await phase(ctx, 'batched warm-up', async () => {
      await gen.run(Math.max(2, Math.round(opts.seconds / 3)), 0, ctx.tsCursorMs).then((r) => advanceCursor(ctx, r.lastTsMs));
      await drained(ctx, 60_000);
    });
    const copyRates: number[] = [];
    const copyCpuUs: number[] = [];
    const copyRound = async (i: number) =>
      phase(ctx, `psql \\copy ${i}`, async () => {
        const cpuBefore = cpuSeconds(process.pid);
        const seconds = await timeCopy(ctx.schema, fileOf);
        copyCpuUs.push(cpuPerSample(cpuBefore, cpuSeconds(process.pid), copyRows).postgresCpuUs);
        copyRates.push(copyRows / seconds);
        log(ctx, `  psql \\copy ${copyRows} rows in ${seconds.toFixed(2)} s = ${round(copyRows / seconds)} rows/s; PostgreSQL ${copyCpuUs.at(-1)?.toFixed(2)} us CPU per row`);
      });

    // A: a short burst as fast as the window allows (the journal acknowledges far faster than rows are
    // stored), then the rate at which the service works that backlog off is the capacity to confirm.
    const probe = await phase(ctx, 'batched A1 (saturating burst + drain)', async () => {
      const before = await ctx.svc.metrics();
      const cpuBefore = cpuSeconds(ctx.svc.pid);
      const startedMs = performance.now();
      const m = await measure(ctx, gen, 2, 0);
      // Two seconds of journal-speed acknowledgements can be a minute or more of storing.
      await drained(ctx, 300_000);
      const after = await ctx.svc.metrics();
      const stored = after.evaluated - before.evaluated;
      const capacity = stored / ((performance.now() - startedMs) / 1000);
      const cpu = { ...cpuPerSample(cpuBefore, cpuSeconds(ctx.svc.pid), stored), samplesPerBatch: perBatch(before, after), alarmChangesPerK: alarmChangesPerK(before, after) };
      log(ctx, `  acked ${round(m.ackedPerSec)} samples/s; burst backlog ${m.backlogEnd} messages; stored and evaluated ${round(capacity)} samples/s until drained; ${cpuText(cpu)}`);
      return { ...m, ...cpu, evaluatedPerSec: capacity };
    });
    await copyRound(1);

    // A again, offered at 90 % of that capacity and lower until the backlog stays bounded (under 2 s of messages).
    // A rate of 0 would tell the generator to send as fast as it can.
    if (!(probe.evaluatedPerSec > 0)) throw new Error('batched: the saturating burst stored nothing, so there is no capacity to confirm');
    let offered = probe.evaluatedPerSec * 0.9;
    let sustained = NaN;
    let sustainedCpu: Pick<Measured, 'serviceCpuUs' | 'postgresCpuUs' | 'samplesPerBatch' | 'alarmChangesPerK'> = probe;
    for (let attempt = 0; attempt < (opts.quick ? 2 : 3) && Number.isNaN(sustained); attempt++) {
      const msgsPerSec = offered / samplesPerMsg;
      const m = await phase(ctx, `batched A${attempt + 2} (offered ${round(offered)} samples/s)`, () => measure(ctx, gen, opts.seconds, msgsPerSec));
      const bounded = m.backlogEnd + m.rulesPendingEnd / samplesPerMsg <= 2 * msgsPerSec;
      log(ctx, `  stored and evaluated ${round(m.evaluatedPerSec)} samples/s, backlog max ${m.backlogMax}, end ${m.backlogEnd} messages and ${m.rulesPendingEnd} samples waiting for the rules: ${bounded ? 'bounded' : 'growing'}; ${cpuText(m)}`);
      if (bounded) {
        sustained = m.evaluatedPerSec;
        sustainedCpu = m;
      }
      await drained(ctx, 120_000);
      offered *= 0.75;
    }
    if (Number.isNaN(sustained)) ctx.notes.push('batched: no offered rate kept the backlog bounded; batchedSamplesPerSec is the lowest tried rate');
    await copyRound(2);

    const copyPerSec = copyRates.reduce((a, b) => a + b, 0) / copyRates.length;
    const batchedPerSec = Number.isNaN(sustained) ? offered / 0.75 : sustained;
    ctx.results.batchedSamplesPerSec = round(batchedPerSec);
    ctx.results.batchedAckedSamplesPerSec = round(probe.ackedPerSec);
    ctx.results.copyRowsPerSec = round(copyPerSec);
    ctx.results.copyRows = copyRows;
    ctx.results.batchedVsCopyRatio = round(batchedPerSec / copyPerSec, 3);
    ctx.results.batchedServiceCpuUsPerSample = round(sustainedCpu.serviceCpuUs, 2);
    ctx.results.batchedPostgresCpuUsPerSample = round(sustainedCpu.postgresCpuUs, 2);
    ctx.results.batchedSamplesPerBatch = round(sustainedCpu.samplesPerBatch);
    ctx.results.batchedAlarmChangesPerKSamples = round(sustainedCpu.alarmChangesPerK, 2);
    ctx.results.copyPostgresCpuUsPerRow = round(copyCpuUs.reduce((a, b) => a + b, 0) / copyCpuUs.length, 2);
    await reportIndexSize(ctx);
  } finally {
    await gen.close();
  }
}
