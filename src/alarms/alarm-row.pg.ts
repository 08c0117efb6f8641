import type { Phase, Severity } from '../domain/alarm.js';
import type { CustomerClass } from '../domain/customer-class.js';
import type { Sql } from '../db/sql.js';
import type { AlarmRecord } from './lifecycle.js';
import type { StoredAlarm } from './store.js';

/** An alarms row joined with its customer, as SELECT_ALARM reads it. */
export interface AlarmRow {
  id: string;
  meter_id: string;
  originator: string | null;
  customer_id: string;
  rule: string;
  phase: string;
  severity: string;
  active: boolean;
  acknowledged: boolean;
  start_ts: Date | string;
  last_ts: Date | string;
  clear_ts: Date | string | null;
  ack_ts: Date | string | null;
  ack_by: string | null;
  ack_comment: string | null;
  cleared_by: string | null;
  clear_comment: string | null;
  manual_clear: boolean;
  peak_value: number | null;
  threshold: number | null;
  details: Record<string, unknown> | string;
  customer_name: string | null;
  customer_classes: string[] | null;
  customer_address: string | null;
  account_manager: string | null;
}

export const SELECT_ALARM = `SELECT a.id::text AS id, a.meter_id, a.originator, a.customer_id, a.rule, a.phase, a.severity, a.active,
  a.acknowledged, a.start_ts, a.last_ts, a.clear_ts, a.ack_ts, a.ack_by, a.ack_comment, a.cleared_by, a.clear_comment,
  a.manual_clear, a.peak_value, a.threshold, a.details,
  c.name AS customer_name, c.classes AS customer_classes, c.address AS customer_address, c.account_manager
  FROM alarms a LEFT JOIN customers c ON c.id = a.customer_id`;

const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));

/** Ids are bigserial: anything else cannot exist and must not reach a bigint cast. */
export const isAlarmId = (id: string) => /^\d{1,18}$/.test(id);

export function toAlarm(r: AlarmRow): StoredAlarm {
  return {
    id: r.id, meterId: r.meter_id, ...(r.originator === null ? {} : { originator: r.originator }), rule: r.rule, phase: r.phase as Phase | '', severity: r.severity as Severity,
    active: r.active, acknowledged: r.acknowledged, startTs: iso(r.start_ts), lastTs: iso(r.last_ts),
    clearTs: isoOrNull(r.clear_ts), ackTs: isoOrNull(r.ack_ts), ackBy: r.ack_by, ackComment: r.ack_comment,
    clearedBy: r.cleared_by, clearComment: r.clear_comment, manualClear: r.manual_clear,
    peakValue: r.peak_value, threshold: r.threshold,
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    customer: {
      id: r.customer_id, name: r.customer_name ?? '', classes: (r.customer_classes ?? []) as CustomerClass[],
      address: r.customer_address ?? '', accountManager: r.account_manager ?? '',
    },
  };
}

/** Writes these alarms' records in one statement. */
export async function writeRecords(tx: Sql, records: readonly { id: string; record: AlarmRecord }[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map(({ id, record: r }) => ({
    id, severity: r.severity, active: r.active, acknowledged: r.acknowledged, last_ts: r.lastTs, clear_ts: r.clearTs,
    ack_ts: r.ackTs, ack_by: r.ackBy, ack_comment: r.ackComment, peak_value: r.peakValue, threshold: r.threshold,
    details: r.details, cleared_by: r.clearedBy, clear_comment: r.clearComment, manual_clear: r.manualClear,
  }));
  await tx.query(
    `UPDATE alarms a SET severity = r.severity, active = r.active, acknowledged = r.acknowledged, last_ts = r.last_ts,
       clear_ts = r.clear_ts, ack_ts = r.ack_ts, ack_by = r.ack_by, ack_comment = r.ack_comment, peak_value = r.peak_value,
       threshold = r.threshold, details = r.details, cleared_by = r.cleared_by, clear_comment = r.clear_comment,
       manual_clear = r.manual_clear, updated_at = now()
     FROM json_to_recordset($1::json) AS r(id bigint, severity text, active boolean, acknowledged boolean,
       last_ts timestamptz, clear_ts timestamptz, ack_ts timestamptz, ack_by text, ack_comment text,
       peak_value double precision, threshold double precision, details jsonb, cleared_by text, clear_comment text,
       manual_clear boolean)
     WHERE a.id = r.id`,
    [JSON.stringify(rows)],
  );
}
