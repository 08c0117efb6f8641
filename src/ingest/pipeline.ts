import { setTimeout as sleep } from 'node:timers/promises';
import type { AnySample } from '../domain/sample.js';
import type { TelemetryStore, WriteResult } from '../telemetry/store.js';
import { decodeMessage, decodeStatus, type DecodeLimits, type Rejection } from './decode.js';
import { intoRounds } from './dedupe.js';
import { Downstream, RETRY_MAX_MS, RETRY_MIN_MS, type DownstreamDeps, type Failure } from './downstream.js';
import { Fifo } from './fifo.js';
import type { JournalPosition, JournalRecord } from './journal.js';
import type { QuarantineEntry, QuarantineStore } from './quarantine.js';
import { resolveSamples, type ArchiveLookup } from './resolve.js';
import { ClientLogLimiter } from './log-limiter.js';
import { parseTopic, type Topic } from './topic.js';

/** A message's outcome bits: some of it was accepted, some quarantined (both: partial; neither: empty). */
const ACCEPTED = 1;
const QUARANTINED = 2;

/** The stage after storing (rules, persist, checkpoint) is downstream.ts's; its health is reported with the store's. */
export interface PipelineDeps extends Omit<DownstreamDeps, 'onHealth'> {
  archive: ArchiveLookup;
  telemetry: TelemetryStore;
  quarantine: QuarantineStore;
  /** Records a concentrator's online/offline status; false when it is not in the archive. */
  setConcentratorStatus(concentratorId: string, online: boolean, at: Date): Promise<boolean>;
  /**
   * Told of each stored batch at once, before its rules (the live stream: a dispatcher's chart must not wait
   * for the rule evaluation of earlier batches). Must not throw.
   */
  onStored(samples: AnySample[]): void;
  /**
   * Told when storing, or the rule evaluation that must follow it, starts failing (with the first failure's time
   * and the latest error) and when both work again: either way ingestion is buffering in the journal.
   */
  onStoreHealth?(failure: Failure | undefined): void;
  /** Told when the records up to pos are stored: nothing of them is held any more, though not yet checkpointed. */
  release?(pos: JournalPosition): void;
  limits: { maxFutureSkewMs: number; quarantinePayloadMaxBytes: number; batchMaxRecords: number; batchMaxBytes: number };
}

/**
 * Journal -> decode -> archive checks -> primary values -> store + quarantine -> rules and live.
 * One batch at a time, as large as the backlog allows: the next batch starts when the previous
 * one is stored, so I/O is amortised under load and a lone message is not held back.
 */
export class IngestPipeline {
  private readonly queue = new Fifo<JournalRecord>();
  private running = false;
  private stopped = false;
  private readonly downstream: Downstream;
  private idleWaiters: (() => void)[] = [];
  /** Set while run() waits for the rules of the last batches: records pushed meanwhile end the wait. */
  private wake: (() => void) | undefined;
  private readonly logLimiter: ClientLogLimiter;
  /** Set while store attempts fail (store unreachable): the journal is buffering meanwhile. */
  private failing: Failure | undefined;

  constructor(private readonly deps: PipelineDeps) {
    this.logLimiter = new ClientLogLimiter(60_000, deps.clock);
    this.downstream = new Downstream({ ...deps, onHealth: () => this.reportHealth() });
  }

  push(records: readonly JournalRecord[]): void {
    for (const r of records) this.queue.push(r);
    this.deps.metrics.backlog.set(this.queue.length);
    if (!this.running && !this.stopped) void this.run();
    else this.wake?.();
  }

  get backlog(): number {
    return this.queue.length;
  }

  /** Resolves once everything pushed so far is stored (or the pipeline is stopped). */
  drain(): Promise<void> {
    if (!this.running) return this.downstream.persistNow();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Finishes the batch in hand and stops; what remains is replayed from the journal next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.downstream.stop();
    await this.drain();
  }

  private async run(): Promise<void> {
    this.running = true;
    for (;;) {
      await this.storeQueued();
      // The rules of the last batches finish before the pipeline counts as idle, but records that arrive
      // meanwhile are stored at once: waiting for the rules whenever the queue ran dry (often, under a steady
      // flow of small batches) made storing take turns with them.
      const arrived = new Promise<void>((resolve) => (this.wake = resolve));
      const idle = await Promise.race([this.downstream.done().then(() => true), arrived.then(() => false)]);
      this.wake = undefined;
      if (this.stopped || (idle && this.queue.length === 0)) break;
    }
    this.running = false;
    // Idle: made durable beside the next run if records arrive meanwhile (a persist can take seconds, and storing
    // must not wait for it); at once when drain() waits for it, else after a lull.
    if (this.idleWaiters.length === 0) {
      this.downstream.persistAfterLull();
      return;
    }
    const persisted = this.downstream.persistNow();
    for (const resolve of this.idleWaiters.splice(0)) void persisted.then(resolve);
  }

  private async storeQueued(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.peek(this.batchSize());
      try {
        await this.process(batch);
        this.queue.drop(batch.length);
        this.deps.release?.(batch[batch.length - 1].position);
        retryMs = RETRY_MIN_MS;
        if (this.failing) {
          this.deps.log.info({ outageMs: this.deps.clock() - this.failing.sinceMs, backlog: this.backlog }, 'storing works again; replaying the buffered backlog');
          this.failing = undefined;
          this.reportHealth();
        }
        this.deps.metrics.backlog.set(this.queue.length);
      } catch (err) {
        // The store is down or refused the batch: keep it (it is in the journal too) and retry.
        this.deps.metrics.storeErrors.inc();
        const message = err instanceof Error ? err.message : String(err);
        this.failing = { sinceMs: this.failing?.sinceMs ?? this.deps.clock(), message };
        this.reportHealth();
        this.deps.log.error({ err, records: batch.length, retryMs }, 'storing an ingest batch failed; retrying');
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  private async process(batch: JournalRecord[]): Promise<void> {
    const timer = this.deps.metrics.batchSeconds.startTimer();
    const samples: AnySample[] = [];
    const quarantine: QuarantineEntry[] = [];
    const statuses: { at: number; concentratorId: string; online: boolean }[] = [];
    /** Per message (by its place in the batch): whether any of it was accepted and any of it quarantined. */
    const outcomes = new Uint8Array(batch.length);
    const reject = (at: number, r: Rejection) => {
      this.reject(quarantine, batch[at], r);
      outcomes[at] |= QUARANTINED;
    };
    const limits = { nowMs: this.deps.clock(), maxFutureSkewMs: this.deps.limits.maxFutureSkewMs };

    for (let at = 0; at < batch.length; at++) {
      const record = batch[at];
      const topic = parseTopic(record.topic);
      if (!topic) {
        reject(at, { reason: 'unknown_topic', detail: `topic ${JSON.stringify(record.topic)} is not a loadwatch device topic`, index: null, meterId: null });
      } else if (topic.type === 'status') {
        const status = decodeStatus(record.payload);
        if (status) statuses.push({ at, concentratorId: topic.concentratorId, online: status === 'online' });
        else reject(at, { reason: 'schema', detail: 'status must be "online" or "offline"', index: null, meterId: null });
      } else {
        const resolved = this.decode(topic, record, limits);
        if (!resolved) {
          reject(at, { reason: 'schema', detail: 'the decoder failed on this message (a loadwatch bug; reported in the log)', index: null, meterId: null });
          continue;
        }
        if (resolved.samples.length > 0) outcomes[at] |= ACCEPTED;
        for (const s of resolved.samples) samples.push(s);
        for (const r of resolved.rejections) reject(at, r);
      }
    }

    for (const s of statuses) {
      const known = await this.deps.setConcentratorStatus(s.concentratorId, s.online, new Date(batch[s.at].receivedAtMs));
      if (!known) reject(s.at, { reason: 'unknown_concentrator', detail: `concentrator ${s.concentratorId} is not in the archive`, index: null, meterId: null });
      else outcomes[s.at] |= ACCEPTED;
    }

    const [written] = await Promise.all([this.write(samples), this.deps.quarantine.write(quarantine)]);
    this.count(written, quarantine, samples.length);
    this.countMessages(outcomes);

    this.deps.onStored(samples);
    this.downstream.hand(samples, batch[batch.length - 1].position);
    await this.downstream.room();
    timer();
  }

  /**
   * A decoder bug on one message must not stall ingestion: the batch would be retried forever and
   * the buffer would fill behind it. The message is quarantined instead and the bug logged.
   */
  private decode(topic: Exclude<Topic, { type: 'status' }>, record: JournalRecord, limits: DecodeLimits) {
    try {
      return resolveSamples(topic, decodeMessage(topic, record.payload, limits), this.deps.archive);
    } catch (err) {
      this.deps.log.error({ err, topic: record.topic, id: record.id }, 'decoding a message threw; quarantined');
      return undefined;
    }
  }

  /** As many queued records as the record and byte limits allow, at least one. */
  private batchSize(): number {
    const { batchMaxRecords, batchMaxBytes } = this.deps.limits;
    const last = Math.min(this.queue.length, batchMaxRecords);
    let n = 1;
    let bytes = this.queue.at(0).payload.length;
    while (n < last && bytes + this.queue.at(n).payload.length <= batchMaxBytes) bytes += this.queue.at(n++).payload.length;
    return n;
  }

  private reportHealth(): void {
    this.deps.onStoreHealth?.(this.failing ?? this.downstream.failure);
  }

  private reject(out: QuarantineEntry[], record: JournalRecord, r: Rejection): void {
    const raw = r.record === undefined ? record.payload : Buffer.from(JSON.stringify(r.record));
    const max = this.deps.limits.quarantinePayloadMaxBytes;
    out.push({
      id: r.index === null ? record.id : `${record.id}#${r.index}`,
      receivedAtMs: record.receivedAtMs,
      topic: textSafe(record.topic),
      clientId: textSafe(record.clientId) || null,
      meterId: r.meterId === null ? null : textSafe(r.meterId),
      reason: r.reason,
      detail: textSafe(r.detail),
      payload: raw.length > max ? raw.subarray(0, max) : raw,
      payloadBytes: raw.length,
    });
    const { log, suppressed } = this.logLimiter.check(record.clientId);
    if (log) {
      this.deps.log.warn({ clientId: record.clientId, topic: record.topic, reason: r.reason, detail: r.detail, suppressedSinceLastLine: suppressed }, 'message quarantined');
    }
  }

  /** Re-sends inside one batch are written in rounds so each gets the outcome it would have had alone. */
  private async write(samples: AnySample[]): Promise<Required<WriteResult>> {
    const total: Required<WriteResult> = { inserted: 0, overwritten: 0, duplicates: 0, unclassified: 0, rejected: 0 };
    for (const round of intoRounds(samples)) {
      if (round.length === 0) continue;
      const r = await this.deps.telemetry.write(round);
      total.inserted += r.inserted;
      total.overwritten += r.overwritten;
      total.duplicates += r.duplicates;
      total.unclassified += r.unclassified ?? 0;
      total.rejected += r.rejected ?? 0;
    }
    return total;
  }

  /** received = accepted + partial + quarantined + empty + backlog: a message that vanished would break it. */
  private countMessages(outcomes: Uint8Array): void {
    const counts = { accepted: 0, partial: 0, quarantined: 0, empty: 0 };
    for (const o of outcomes) {
      if (o === 0) counts.empty++;
      else if (o === (ACCEPTED | QUARANTINED)) counts.partial++;
      else if (o === ACCEPTED) counts.accepted++;
      else counts.quarantined++;
    }
    for (const [k, n] of Object.entries(counts)) if (n) this.deps.metrics.messagesProcessed.inc({ outcome: k }, n);
  }

  private count(written: Required<WriteResult>, quarantine: QuarantineEntry[], decoded: number): void {
    const { samples, quarantined } = this.deps.metrics;
    if (decoded) this.deps.metrics.samplesDecoded.inc(decoded);
    if (written.inserted) samples.inc({ result: 'stored' }, written.inserted);
    if (written.overwritten) samples.inc({ result: 'overwritten' }, written.overwritten);
    if (written.duplicates) samples.inc({ result: 'duplicate' }, written.duplicates);
    // Stores that cannot tell new rows from replaced ones (QuestDB DEDUP) and rows a store refused.
    if (written.unclassified) samples.inc({ result: 'stored_unclassified' }, written.unclassified);
    if (written.rejected) samples.inc({ result: 'rejected' }, written.rejected);
    for (const q of quarantine) quarantined.inc({ reason: q.reason });
  }
}

/**
 * PostgreSQL text cannot hold U+0000, and a detail quoting a hostile key or value may contain it:
 * one such row would fail its whole batch forever. The raw payload is kept as bytes anyway.
 */
function textSafe(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
}
