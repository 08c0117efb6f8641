import type { Logger } from 'pino';
import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { Sql } from '../db/sql.js';
import { createAlarmStorePg } from '../alarms/store.pg.js';
import type { AlarmChange } from '../alarms/store.js';
import { loadDayInput } from './day-input.pg.js';
import type { DayInput } from './day-input.js';
import { evaluate } from './evaluate.js';
import { loadOverrides as loadOverridesPg } from './overrides.pg.js';
import type { RuleOverrides, SettingsByClass } from './settings.js';
import { loadSettings, seedDefaultSettings } from './settings.pg.js';
import { lockMeters, loadStates, saveStates, type StateRow } from './state.pg.js';
import type { Transition } from './transition.js';

export type { AlarmChange } from '../alarms/store.js';

export interface RuleEngine {
  /** Samples just stored (primary values), any meters, any order; contexts has every meterId in samples. */
  evaluate(samples: readonly AnySample[], contexts: ReadonlyMap<string, MeterContext>): Promise<AlarmChange[]>;
  /** Drops the settings cache: an edit made through this process applies to its next evaluation. */
  invalidateSettings(): void;
}

// Settings edits reach every worker within this time without any process having to be told.
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

/**
 * Rule evaluation as a service: state lives in rule_state and alarms in the alarms table, so any number of
 * workers can run this; the only process-local thing is the settings cache.
 */
/** Per-customer overrides of these customers (the alarms module stores them: overrides.pg.ts). */
export type OverridesLoader = (sql: Sql, customerIds: readonly string[]) => Promise<Map<string, RuleOverrides>>;

export interface RuleEngineDeps {
  sql: Sql;
  log: Logger;
  /** Where days and months are cut (domain.md decision 4); default Asia/Shanghai. */
  utilityTz?: string;
  loadOverrides?: OverridesLoader;
}

/** The data dates closed by the freezes of one meter's batch (a freeze at D+1 00:00 closes D). */
async function daysOf(tx: Sql, meterId: string, list: readonly AnySample[], tz: string): Promise<DayInput[]> {
  const closing = [...new Set(list.filter((s) => s.kind === 'reading').map((s) => s.tsMs))].sort((a, b) => a - b);
  const days: DayInput[] = [];
  for (const ts of closing) days.push(await loadDayInput(tx, meterId, ts, tz));
  return days;
}

export async function createRuleEngine(deps: RuleEngineDeps): Promise<RuleEngine> {
  const { sql, log } = deps;
  const tz = deps.utilityTz ?? 'Asia/Shanghai';
  const loadOverrides = deps.loadOverrides ?? loadOverridesPg;
  const seeded = await seedDefaultSettings(sql);
  if (seeded > 0) log.info({ seeded }, 'seeded default rule settings');

  let cache: { settings: SettingsByClass; atMs: number } | undefined;
  async function settings(): Promise<SettingsByClass> {
    if (!cache || Date.now() - cache.atMs > SETTINGS_MAX_AGE_MS) {
      cache = { settings: await loadSettings(sql, log), atMs: Date.now() };
    }
    return cache.settings;
  }

  return {
    invalidateSettings() {
      cache = undefined;
    },
    async evaluate(samples, contexts) {
      const byMeter = groupByMeter(samples);
      for (const meterId of byMeter.keys()) {
        if (!contexts.has(meterId)) {
          log.warn({ meterId }, 'samples without a meter context are not evaluated');
          byMeter.delete(meterId);
        }
      }
      if (byMeter.size === 0) return [];
      const current = await settings();
      const meterIds = [...byMeter.keys()];
      return sql.transaction(async (tx) => {
        await lockMeters(tx, meterIds);
        const states = await loadStates(tx, meterIds);
        const customerIds = [...new Set(meterIds.map((id) => (contexts.get(id) as MeterContext).customer.id))];
        const overrides = await loadOverrides(tx, customerIds);
        const changed: StateRow[] = [];
        const transitions: Transition[] = [];
        let tooLate = 0;
        for (const [meterId, list] of byMeter) {
          const before = states.get(meterId) ?? {};
          const ctx = contexts.get(meterId) as MeterContext;
          const result = evaluate(ctx, list, current, before, {
            days: await daysOf(tx, meterId, list, tz), overrides: overrides.get(ctx.customer.id),
          });
          tooLate += result.tooLate;
          transitions.push(...result.transitions);
          if (JSON.stringify(result.state) !== JSON.stringify(before)) changed.push({ meterId, state: result.state });
        }
        const changes = await createAlarmStorePg(tx).apply(transitions, contexts);
        await saveStates(tx, changed);
        if (changes.length > 0) log.debug({ changes: changes.length }, 'alarm changes');
        if (tooLate > 0) log.warn({ tooLate }, 'samples older than the rule window were not evaluated');
        return changes;
      });
    },
  };
}
