import type { Logger } from 'pino';
import { createAlarmStorePg } from '../../alarms/store.pg.js';
import type { AlarmChange, CustomerOf } from '../../alarms/store.js';
import type { Sql } from '../../db/sql.js';
import type { OverridesLoader } from '../overrides-cache.js';
import { loadOverrides as loadOverridesPg } from '../overrides.pg.js';
import { loadSettings, seedDefaultSettings } from '../settings.pg.js';
import { effectiveSettings } from '../settings.js';
import { curvePointCounts, latestFreezes, loadArchivedMeters, openCollectionAlarms } from './data.pg.js';
import { addDays, daysBetween, isLocalDay, localDayOf, localTimeMs } from '../../domain/calendar.js';
import { CURVE_KINDS, planCollection, type MeterCollection } from './plan.js';

export interface CollectionChecker {
  /**
   * The collection checks (C1, C2) of data date dayLocal ('YYYY-MM-DD' in the utility's zone), normally
   * yesterday, at and after the cut-off. Idempotent: a second run with the same data changes nothing.
   */
  evaluateCollection(dayLocal: string): Promise<AlarmChange[]>;
}

export interface CollectionCheckerDeps {
  sql: Sql;
  log: Logger;
  /** Where days are cut (domain.md decision 4); default Asia/Shanghai. */
  utilityTz?: string;
  loadOverrides?: OverridesLoader;
}

// [PROP] A meter silent for longer counts as missing this many days: past every ladder of domain.md 3.2.
const LOOKBACK_DAYS = 31;
// domain.md 1.3: 15-min curves, 96 points a day.
const EXPECTED_POINTS = 96;
const MIN_GROUP_METERS = 2;
// Any constant shared by every loadwatch node: two runs of the check (a cluster, a manual re-run) take turns.
const COLLECTION_LOCK = 4_207_312;

export async function createCollectionChecker(deps: CollectionCheckerDeps): Promise<CollectionChecker> {
  const { sql, log } = deps;
  const tz = deps.utilityTz ?? 'Asia/Shanghai';
  const loadOverrides = deps.loadOverrides ?? loadOverridesPg;
  await seedDefaultSettings(sql);

  return {
    async evaluateCollection(day) {
      if (!isLocalDay(day)) throw new Error(`not a day: ${JSON.stringify(day)} (expected YYYY-MM-DD)`);
      const startMs = localTimeMs(day, 0, tz);
      const closingMs = localTimeMs(addDays(day, 1), 0, tz);
      const settings = await loadSettings(sql, log);
      return sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [COLLECTION_LOCK]);
        const archived = await loadArchivedMeters(tx);
        const overrides = await loadOverrides(tx, [...new Set(archived.map((m) => m.customerId))]);
        const freezes = await latestFreezes(tx, localTimeMs(addDays(day, 1 - LOOKBACK_DAYS), 0, tz), closingMs);
        const counts = await curvePointCounts(tx, startMs, closingMs);
        const meters: MeterCollection[] = archived.map((m) => {
          const freezeMs = freezes.get(m.meterId);
          // The freeze stamped X+1 00:00 closes data date X (domain.md decision 2).
          const missingDays = freezeMs === undefined ? LOOKBACK_DAYS : Math.max(0, daysBetween(addDays(localDayOf(freezeMs, tz), -1), day));
          const own = overrides.get(m.customerId);
          return {
            meterId: m.meterId, concentratorId: m.concentratorId, missingDays,
            c1: effectiveSettings(m.classes, 'C1', settings, own?.C1),
            c2: effectiveSettings(m.classes, 'C2', settings, own?.C2),
            curvePoints: Object.fromEntries(CURVE_KINDS.map((k) => [k, counts[k].get(m.meterId) ?? 0])) as MeterCollection['curvePoints'],
          };
        });
        const transitions = planCollection({
          day, timeZone: tz, expectedPoints: EXPECTED_POINTS, minGroupMeters: MIN_GROUP_METERS, meters, open: await openCollectionAlarms(tx),
        });
        const customers = new Map<string, CustomerOf>(archived.map((m) => [m.meterId, { customer: { id: m.customerId } }]));
        const changes = await createAlarmStorePg(tx).apply(transitions, customers);
        log.info({ day, meters: meters.length, transitions: transitions.length, changes: changes.length }, 'collection checks');
        return changes;
      });
    },
  };
}
