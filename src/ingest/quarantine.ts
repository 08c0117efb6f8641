import type { QuarantineReason } from './decode.js';

export interface QuarantineEntry {
  /** Journal record id, plus `#index` for one record of a concentrator batch: replays never double a row. */
  id: string;
  receivedAtMs: number;
  topic: string;
  clientId: string | null;
  meterId: string | null;
  reason: QuarantineReason;
  detail: string;
  /** Raw payload (or the offending record as JSON), capped; payloadBytes is the size before capping. */
  payload: Buffer;
  payloadBytes: number;
}

export interface QuarantineRow {
  id: string;
  receivedAt: string;
  topic: string;
  clientId: string | null;
  meterId: string | null;
  reason: string;
  detail: string;
  /** The payload as text when it is UTF-8, else base64 in payloadBase64. */
  payload: string | null;
  payloadBase64: string | null;
  payloadBytes: number;
  truncated: boolean;
}

export interface QuarantineStore {
  write(entries: readonly QuarantineEntry[]): Promise<void>;
  list(filter: { limit: number; reason?: string; meterId?: string }): Promise<QuarantineRow[]>;
}

/** PostgreSQL text cannot hold U+0000; a quarantined topic or id may contain it, so it is spelled out. */
export function textSafe(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
}
