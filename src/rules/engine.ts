import type { Logger } from 'pino';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { Sql } from '../db/sql.js';
import { createAlarmStorePg } from '../alarms/store.pg.js';
import type { AlarmChange } from '../alarms/store.js';
import { dayKey, loadDayInputs, type DayRequest } from './day-input.pg.js';
import type { DayInput } from './day-input.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { loadOverrides as loadOverridesPg } from './overrides.pg.js';
import { OverridesCache, type OverridesLoader } from './overrides-cache.js';
import type { SettingsByClass } from './settings.js';
import { loadSettings, seedDefaultSettings } from './settings.pg.js';
import { snapshotState } from './state-codec.js';
import { StateCache, type CachedState } from './state-cache.js';
import { commitWithoutWaitingForDisk, flushWal, lockMeters, loadStates, movedVersions, saveStates, type StateRow } from './state.pg.js';
import type { Transition } from './transition.js';

export type { AlarmChange } from '../alarms/store.js';

export interface RuleEngine {
  /**
   * Samples just stored (primary values), any meters, any order; contexts has every meterId in samples.
   * With deferSnapshot, meters whose evaluation changed no alarm keep their new state in this process until
   * flush(); meters with alarm changes are always written with them, in one transaction.
   */
  evaluate(samples: readonly AnySample[], contexts: ReadonlyMap<string, MeterContext>, opts?: { deferSnapshot?: boolean }): Promise<AlarmChange[]>;
  /** Writes the rule state of every meter evaluated since its last write, or of these meters only. */
  flush(meterIds?: readonly string[]): Promise<void>;
  /** Drops the settings cache: an edit made through this process applies to its next evaluation. */
  invalidateSettings(): void;
  /** Stops evaluating; unwritten state is written first only by flush(). The caller closes the database. */
  close(): Promise<void>;
}

// Settings and override edits reach every worker within this time without any process having to be told.
const SETTINGS_MAX_AGE_MS = 5_000;

function groupByMeter(samples: readonly AnySample[]): Map<string, AnySample[]> {
  const out = new Map<string, AnySample[]>();
  for (const s of samples) {
    const list = out.get(s.meterId);
    if (list) list.push(s);
    else out.set(s.meterId, [s]);
  }
  for (const list of out.values()) list.sort((a, b) => a.tsMs - b.tsMs);
  return out;
}

export interface RuleEngineDeps {
  sql: Sql;
  log: Logger;
  /** Where days and months are cut (domain.md decision 4); default Asia/Shanghai. */
  utilityTz?: string;
  loadOverrides?: OverridesLoader;
  /** Meters whose rule state this process keeps between batches (beyond it, the least recent clean ones go). */
  cacheMeters?: number;
}

// Heap per cached 3P4W meter: about 9 KB, most of its tracks resting on its 3 x 17 recent points; 14 KB with an
// alarm running on every meter (`node --expose-gc` with bench/evaluate-pass.ts, 5,000 meters; a window per track
// was 29-32 KB). 60,000 meters is about 530 MB, 830 MB at most: the budget 25,000 meters of windows had.
const DEFAULT_CACHE_METERS = 60_000;
// A flush writes this many meters per transaction, letting evaluations run between slices: an evaluation waits
// for the slice in hand (with 250-meter slices, ~100 ms each under load, samples that met a persist took 150-200 ms
// to be stored instead of 20-40, when storing waited for the rules sooner than it does now).
const FLUSH_SLICE_METERS = 50;
// An evaluation reads, evaluates and writes its meters in slices of this many: one transaction holding 10,000
// advisory locks (a batch raising as many alarms) would overflow PostgreSQL's shared lock table
// (max_locks_per_transaction 64 x max_connections 100 by default).
const EVALUATE_SLICE_METERS = 1_000;

const NO_FREEZES: readonly number[] = [];
const NO_DAYS: readonly DayInput[] = [];

/** One meter's evaluation in a batch, and the version of the state it was evaluated from. */
interface MeterOutcome {
  evaluation: Evaluation;
  version: number;
}

/** The cache entry of an outcome's new state, until it is written. */
const unwritten = (o: MeterOutcome): CachedState => ({ state: o.evaluation.state, version: o.version, dirty: true });

/**
 * The freezes of one meter's batch (sorted by time, groupByMeter), oldest first: each closes a data date (a
 * freeze at D+1 00:00 closes D). Most batches have none, and then nothing is allocated.
 */
function closingFreezes(list: readonly AnySample[]): readonly number[] {
  let out: number[] | undefined;
  for (const s of list) {
    if (s.kind !== 'reading' || (out !== undefined && out[out.length - 1] === s.tsMs)) continue;
    (out ??= []).push(s.tsMs);
  }
  return out ?? NO_FREEZES;
}

/**
 * Rule evaluation as a service. rule_state in PostgreSQL is the truth; this process caches the states of the
 * meters it evaluates (state-cache.ts) and trusts an entry only while the stored version is the one it read or
 * wrote, checked at every evaluation and again under the meters' locks before their states or alarms are written,
 * so any number of workers can run this and a meter (or shard) that moves between them is reloaded. A state is
 * written with the alarm changes it caused, in the same transaction; otherwise at the end of the evaluation, or
 * with deferSnapshot at the next flush(): the caller then keeps the evaluated samples replayable (the ingest
 * journal) until flush() resolves, so after a crash the stored state plus the replay gives what was evaluated,
 * and since a state with alarm changes is never left unwritten, the replay repeats no alarm change.
 */
export async function createRuleEngine(deps: RuleEngineDeps): Promise<RuleEngine> {
  const { sql, log } = deps;
  const tz = deps.utilityTz ?? 'Asia/Shanghai';
  const overrides = new OverridesCache(deps.loadOverrides ?? loadOverridesPg, SETTINGS_MAX_AGE_MS);
  const seeded = await seedDefaultSettings(sql);
  if (seeded > 0) log.info({ seeded }, 'seeded default rule settings');
  const cache = new StateCache(deps.cacheMeters ?? DEFAULT_CACHE_METERS);
  // One evaluation or flush at a time in this process: both read and replace cache entries.
  let turn: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn, fn);
    turn = run.catch(() => undefined);
    return run;
  };

  let settingsCache: { settings: SettingsByClass; text: string; atMs: number } | undefined;
  async function settings(): Promise<SettingsByClass> {
    if (!settingsCache || Date.now() - settingsCache.atMs > SETTINGS_MAX_AGE_MS) {
      const loaded = await loadSettings(sql, log);
      const text = JSON.stringify(loaded);
      // Unchanged settings keep their object, and with it every track definition built from them (evaluate.ts).
      settingsCache = settingsCache?.text === text ? { ...settingsCache, atMs: Date.now() } : { settings: loaded, text, atMs: Date.now() };
    }
    return settingsCache.settings;
  }

  const cachedVersion = (meterId: string) => cache.get(meterId)?.version;

  /** Replaces the cached states of these meters with the stored ones: their version moved on (another writer). */
  async function reloadMoved(q: Sql, moved: ReadonlyMap<string, number>): Promise<void> {
    if (moved.size === 0) return;
    const stale = [...moved.keys()];
    for (const id of stale) {
      if (cache.get(id)?.dirty) log.warn({ meterId: id }, 'rule state changed by another process while this one held unwritten state; reloaded');
    }
    const loaded = await loadStates(q, stale);
    for (const id of stale) cache.set(id, { state: loaded.get(id) ?? {}, version: moved.get(id) as number, dirty: false });
  }

  /** Writes these entries as their next versions; returns the entries to put in the cache once committed. */
  async function write(tx: Sql, entries: ReadonlyMap<string, CachedState>): Promise<Map<string, CachedState>> {
    const rows: StateRow[] = [];
    const written = new Map<string, CachedState>();
    for (const [meterId, e] of entries) {
      rows.push({ meterId, json: snapshotState(e.state), version: e.version + 1 });
      written.set(meterId, { state: e.state, version: e.version + 1, dirty: false });
    }
    await saveStates(tx, rows);
    return written;
  }

  async function flushSlice(ids: readonly string[]): Promise<void> {
    const dirty = ids.filter((id) => cache.get(id)?.dirty);
    if (dirty.length === 0) return;
    const written = await sql.transaction(async (tx) => {
      await commitWithoutWaitingForDisk(tx);
      const moved = await lockMeters(tx, dirty, (id) => cache.get(id)?.version);
      const mine = new Map<string, CachedState>();
      for (const id of dirty) {
        if (!moved.has(id)) mine.set(id, cache.get(id) as CachedState);
        else log.warn({ meterId: id }, 'rule state changed by another process while this one held unwritten state; its snapshot is dropped');
      }
      return write(tx, mine);
    });
    for (const id of dirty) if (!written.has(id)) cache.delete(id);
    for (const [id, e] of written) cache.set(id, e);
    cache.trim();
  }

  async function evaluateBatch(byMeter: Map<string, AnySample[]>, contexts: ReadonlyMap<string, MeterContext>, defer: boolean): Promise<AlarmChange[]> {
    const current = await settings();
    const meterIds = [...byMeter.keys()];
    // Read without the meters' locks: most evaluations change no alarm, and with deferSnapshot those write nothing,
    // so they need no transaction. A writer elsewhere meanwhile is found by the next evaluation's or the flush's
    // version check, as one between two evaluations always was; meters with something to write are locked and
    // checked again below, before anything is written.
    await reloadMoved(sql, await movedVersions(sql, meterIds, cachedVersion));
    const overridesOf = await overrides.get(sql, [...new Set(meterIds.map((id) => (contexts.get(id) as MeterContext).customer.id))]);
    // Only meters whose batch has a freeze (none, in a batch of curves) get an entry.
    const freezesOf = new Map<string, readonly number[]>();
    const requests: DayRequest[] = [];
    for (const [meterId, list] of byMeter) {
      const freezes = closingFreezes(list);
      if (freezes.length === 0) continue;
      freezesOf.set(meterId, freezes);
      for (const closingTsMs of freezes) requests.push({ meterId, closingTsMs });
    }
    const dayInputs = await loadDayInputs(sql, requests, tz);

    // New states enter the cache only once written, or with nothing to write: evaluation writes into no state the
    // cache holds (only into objects of states older than the cached ones: reuse), so a failure leaves it as it was.
    const evaluateMeter = (meterId: string): MeterOutcome => {
      const before = cache.get(meterId) as CachedState;
      const ctx = contexts.get(meterId) as MeterContext;
      const days = freezesOf.get(meterId)?.map((ts) => dayInputs.get(dayKey(meterId, ts)) as DayInput) ?? NO_DAYS;
      const evaluation = evaluate(ctx, byMeter.get(meterId) as AnySample[], current, before.state, { days, overrides: overridesOf.get(ctx.customer.id), reuse: true });
      return { evaluation, version: before.version };
    };
    // A state with alarm changes is written with them, in one transaction (deferred or not: see RuleEngine).
    const mustWrite = ({ evaluation: e }: MeterOutcome) => e.changed && (e.transitions.length > 0 || !defer);
    const outcomes = new Map<string, MeterOutcome>();
    for (const meterId of meterIds) outcomes.set(meterId, evaluateMeter(meterId));
    const writers = meterIds.filter((id) => mustWrite(outcomes.get(id) as MeterOutcome));

    let changes: AlarmChange[] = [];
    let written: ReadonlyMap<string, CachedState> = new Map();
    if (writers.length > 0) {
      ({ changes, written } = await sql.transaction(async (tx) => {
        const moved = await lockMeters(tx, writers, cachedVersion);
        // Stored by another writer since they were read above: evaluated again from what it stored.
        await reloadMoved(tx, moved);
        for (const id of moved.keys()) outcomes.set(id, evaluateMeter(id));
        const entries = new Map<string, CachedState>();
        const transitions: Transition[] = [];
        for (const id of writers) {
          const o = outcomes.get(id) as MeterOutcome;
          if (!mustWrite(o)) continue;
          entries.set(id, unwritten(o));
          for (const t of o.evaluation.transitions) transitions.push(t);
        }
        return { changes: await createAlarmStorePg(tx).apply(transitions, contexts), written: await write(tx, entries) };
      }));
    }
    let tooLate = 0;
    for (const [id, o] of outcomes) {
      tooLate += o.evaluation.tooLate;
      if (o.evaluation.changed) cache.set(id, written.get(id) ?? unwritten(o));
    }
    cache.trim();
    if (changes.length > 0) log.debug({ changes: changes.length }, 'alarm changes');
    if (tooLate > 0) log.warn({ tooLate }, 'samples older than the rule window were not evaluated');
    return changes;
  }

  return {
    invalidateSettings() {
      settingsCache = undefined;
      overrides.invalidate();
    },
    async close() {},
    async evaluate(samples, contexts, opts = {}) {
      const byMeter = groupByMeter(samples);
      for (const meterId of byMeter.keys()) {
        if (!contexts.has(meterId)) {
          log.warn({ meterId }, 'samples without a meter context are not evaluated');
          byMeter.delete(meterId);
        }
      }
      // Meters are independent: each slice is read and written on its own. The batch takes one turn, so a flush's slices
      // go between batches and not inside one: with a turn per slice, a batch of a few thousand meters waited for
      // a flush slice before each of its own, and under a persist the rules' batches took 300-700 ms instead of 30.
      const changes: AlarmChange[] = [];
      const meters = [...byMeter];
      await serially(async () => {
        for (let i = 0; i < meters.length; i += EVALUATE_SLICE_METERS) {
          const slice = new Map(meters.slice(i, i + EVALUATE_SLICE_METERS));
          for (const c of await evaluateBatch(slice, contexts, opts.deferSnapshot ?? false)) changes.push(c);
        }
      });
      return changes;
    },
    async flush(meterIds) {
      // In slices, each its own turn, so evaluations go on between them; what was dirty when flush() began is
      // written when it resolves (a meter evaluated again meanwhile may be written by a later slice or flush).
      const dirty = meterIds ? meterIds.filter((id) => cache.get(id)?.dirty) : cache.dirty();
      for (let i = 0; i < dirty.length; i += FLUSH_SLICE_METERS) {
        const slice = dirty.slice(i, i + FLUSH_SLICE_METERS);
        await serially(() => flushSlice(slice));
      }
      // The slices committed without waiting for the disk: one flush of the WAL makes them all durable.
      if (dirty.length > 0) await flushWal(sql);
    },
  };
}
