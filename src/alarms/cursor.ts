/**
 * Keyset paging over alarms in list order (open first, newest start first, then id): a cursor names the last
 * alarm of a page, so pages stay stable while new alarms arrive.
 */
export interface AlarmCursor {
  active: boolean;
  startTs: string;
  id: string;
}

export function cursorOf(a: AlarmCursor): string {
  return Buffer.from(JSON.stringify([a.active, a.startTs, a.id])).toString('base64url');
}

/** Undefined for anything cursorOf did not produce. */
export function parseCursor(text: string): AlarmCursor | undefined {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const [active, startTs, id] = v as unknown[];
  if (typeof active !== 'boolean' || typeof startTs !== 'string' || !Number.isFinite(Date.parse(startTs))) return undefined;
  if (typeof id !== 'string' || !/^\d{1,18}$/.test(id)) return undefined;
  return { active, startTs, id };
}
