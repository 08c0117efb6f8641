import { setTimeout as sleep } from 'node:timers/promises';
import type { AnySample } from '../domain/sample.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { STATE_WRITE_INTERVAL_MS, WritePacing } from '../pacing.js';
import type { JournalPosition } from './journal.js';

/** Since when something fails, and the latest error. */
export type Failure = { sinceMs: number; message: string };

export interface DownstreamDeps {
  /** The rules of stored samples; retried until it succeeds. */
  afterStore(samples: AnySample[]): Promise<void>;
  /** Everything up to pos is stored and evaluated: the journal may forget it. */
  checkpoint(pos: JournalPosition): void;
  /**
   * Makes durable what afterStore has done so far (rule state kept in memory); a batch is checkpointed only
   * once a call that began after its afterStore has resolved. Absent: afterStore's work is durable when it resolves.
   */
  persistDownstream?(): Promise<void>;
  /** Told whenever `failure` changes. */
  onHealth(): void;
  metrics: Metrics;
  log: Logger;
  clock: () => number;
}

export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 5_000;
// Stored samples whose rules may still be running: storing goes on ahead of a rule evaluation that waits for a
// state persist or a slow transaction, so storage latency does not take on the rules' hiccups. Counted in samples,
// not batches: under load a persist of every meter's rule state takes 3-6 s, and 8 batches in flight (small ones,
// at half load) let storing wait behind it, so a sample took 1-1.7 s to be stored instead of 20-60 ms. This many
// samples are 6-8 s of half load, tens of megabytes; beyond them, storing waits for the rules as before.
export const MAX_IN_FLIGHT_SAMPLES = 200_000;
// Under load, downstream work is made durable (and the journal checkpointed) as often as pacing.ts allows; after a
// lull when idle (IDLE_LULL_MS). The journal holds what is not checkpointed meanwhile.
// A failed persist is tried again after this long even if no new batch arrives to trigger it: otherwise the
// journal would keep the batches (and report them buffered) until the next message.
const PERSIST_RETRY_MS = 1_000;
// "Idle" is a lull this long without a stored batch, not a moment between two: under a steady load below capacity
// storing empties its queue after every batch, and persisting each time would write every meter's rule state back
// to back, taking the cores from storing (every latency probe slower than 150 ms had met one).
const IDLE_LULL_MS = 1_000;

/**
 * What follows storing (the ingest pipeline's second stage): the rules of stored batches, in batch order, and the
 * journal checkpoint, which moves past a batch only once its rules ran and what they did is durable.
 */
export class Downstream {
  /** Set while a stored batch's rule evaluation fails: storing waits behind it, so the journal buffers too. */
  failure: Failure | undefined;
  private running: Promise<void> = Promise.resolve();
  private working = false;
  private stopped = false;
  /** Stored batches waiting for their rules, oldest first. */
  private pending: { samples: AnySample[]; position: JournalPosition }[] = [];
  private inFlightSamples = 0;
  /** The newest batch whose downstream work is done but not yet persisted (persistDownstream). */
  private unpersisted: JournalPosition | undefined;
  private persisting: Promise<void> | undefined;
  private readonly persistPacing: WritePacing;
  private persistRetry: NodeJS.Timeout | undefined;
  private lull: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DownstreamDeps) {
    this.persistPacing = new WritePacing(STATE_WRITE_INTERVAL_MS, deps.clock());
  }

  /**
   * The rules of batch N run while batch N+1 is decoded and stored. Batches stored while the rules were busy are
   * evaluated together, as one: under load an evaluation (a transaction per rule thread) covers as much as has
   * piled up, as storing does.
   */
  hand(samples: AnySample[], position: JournalPosition): void {
    clearTimeout(this.lull);
    this.pending.push({ samples, position });
    this.countInFlight(samples.length);
    if (!this.working) this.running = this.work();
  }

  /** At most MAX_IN_FLIGHT_SAMPLES stored samples wait for their rules: beyond that, storing waits too. */
  async room(): Promise<void> {
    while (this.inFlightSamples >= MAX_IN_FLIGHT_SAMPLES) await this.running;
  }

  /** Resolves once the rules of every batch handed so far have run (or given way to stop()). */
  done(): Promise<void> {
    return this.running;
  }

  /**
   * Made durable now, beside any storing that starts meanwhile (a persist can take seconds): after the persist in
   * hand, one covering every batch settled so far. A failure there is retried later (retryPersistLater).
   */
  persistNow(): Promise<void> {
    clearTimeout(this.lull);
    return (this.persisting ?? Promise.resolve()).then(() => this.persist());
  }

  /** Storing went idle: made durable once no batch has come for IDLE_LULL_MS. */
  persistAfterLull(): void {
    clearTimeout(this.lull);
    this.lull = setTimeout(() => void this.persistNow(), IDLE_LULL_MS);
    this.lull.unref();
  }

  /** A batch still failing is left to the journal's replay at the next start, and so is every batch after it. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.persistRetry);
    clearTimeout(this.lull);
  }

  private countInFlight(samples: number): void {
    this.inFlightSamples += samples;
    this.deps.metrics.rulesPending.set(this.inFlightSamples);
  }

  private async work(): Promise<void> {
    this.working = true;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0);
      const samples = group.length === 1 ? group[0].samples : group.flatMap((g) => g.samples);
      const done = await this.untilDone(samples);
      this.countInFlight(-samples.length);
      if (!done) {
        for (const g of this.pending.splice(0)) this.countInFlight(-g.samples.length);
        break;
      }
      this.settle(group[group.length - 1].position);
    }
    this.working = false;
  }

  /**
   * A batch's rules must be evaluated before the journal may forget it, or its alarms would never be raised: a
   * failure (a connection dropped mid-transaction, the queue unreachable) is retried until it succeeds, and
   * storing waits behind it (room) while the journal buffers. Evaluation treats repeats as replays.
   */
  private async untilDone(samples: AnySample[]): Promise<boolean> {
    let retryMs = RETRY_MIN_MS;
    for (;;) {
      try {
        await this.deps.afterStore(samples);
        if (this.failure) {
          this.deps.log.info({ outageMs: this.deps.clock() - this.failure.sinceMs }, 'rule evaluation works again');
          this.failure = undefined;
          this.deps.onHealth();
        }
        return true;
      } catch (err) {
        this.deps.metrics.downstreamErrors.inc();
        const message = `rule evaluation: ${err instanceof Error ? err.message : String(err)}`;
        this.failure = { sinceMs: this.failure?.sinceMs ?? this.deps.clock(), message };
        this.deps.onHealth();
        this.deps.log.error({ err, samples: samples.length, retryMs }, 'rule evaluation failed for a stored batch; retrying');
        if (this.stopped) return false;
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  private settle(position: JournalPosition): void {
    if (!this.deps.persistDownstream) {
      this.deps.checkpoint(position);
      return;
    }
    this.unpersisted = position;
    if (!this.persisting && this.persistPacing.due(this.deps.clock())) void this.persist();
  }

  /** One persistDownstream call covering every batch settled so far; then their checkpoint. */
  private persist(): Promise<void> {
    const persistDownstream = this.deps.persistDownstream;
    const pos = this.unpersisted;
    if (!persistDownstream || !pos || this.persisting) return this.persisting ?? Promise.resolve();
    this.unpersisted = undefined;
    const startedMs = this.deps.clock();
    this.persisting = persistDownstream().then(
      () => {
        this.deps.metrics.persistSeconds.observe((this.deps.clock() - startedMs) / 1000);
        this.deps.checkpoint(pos);
      },
      (err: unknown) => {
        // The batches stay in the journal; the next call covers them, whether a new batch or the retry makes it.
        this.unpersisted ??= pos;
        this.deps.log.error({ err, retryMs: PERSIST_RETRY_MS }, 'persisting rule state failed; the journal keeps the batches since the last success');
        this.retryPersistLater();
      },
    ).finally(() => {
      this.persistPacing.ended(startedMs, this.deps.clock());
      this.persisting = undefined;
    });
    return this.persisting;
  }

  private retryPersistLater(): void {
    clearTimeout(this.persistRetry);
    this.persistRetry = setTimeout(() => {
      if (!this.stopped) void this.persist();
    }, PERSIST_RETRY_MS);
    this.persistRetry.unref();
  }
}
