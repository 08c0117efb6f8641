import { KIND_COLUMNS, type AnySample, type Kind } from '../domain/sample.js';

/**
 * Rows for `COPY ... FROM STDIN (FORMAT binary)`: (meter_id text, ts timestamptz, the kind's float8 columns,
 * multiplier float8). Binary spares PostgreSQL parsing a timestamp and four numbers per row, and this process
 * formatting them: one buffer, sized first, no string per row.
 * Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
// timestamptz on the wire: microseconds since 2000-01-01 00:00:00 UTC.
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;

export function copyBinary(kind: Kind, samples: readonly AnySample[]): Buffer {
  const cols = KIND_COLUMNS[kind] as readonly string[];
  const fields = cols.length + 3;
  let size = HEADER_BYTES + 2;
  for (const s of samples) {
    const v = s.values as unknown as Record<string, number | null>;
    size += 2 + 4 + Buffer.byteLength(s.meterId) + 12 + 12;
    for (const c of cols) size += v[c] === null || v[c] === undefined ? 4 : 12;
  }
  const buf = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(buf, 0);
  at = buf.writeInt32BE(0, at); // flags
  at = buf.writeInt32BE(0, at); // header extension length
  for (const s of samples) {
    const v = s.values as unknown as Record<string, number | null>;
    at = buf.writeInt16BE(fields, at);
    const idBytes = buf.write(s.meterId, at + 4);
    at = buf.writeInt32BE(idBytes, at) + idBytes;
    const us = (s.tsMs - PG_EPOCH_MS) * 1000;
    const high = Math.floor(us / TWO_32);
    at = buf.writeInt32BE(8, at);
    at = buf.writeInt32BE(high, at);
    at = buf.writeUInt32BE(us - high * TWO_32, at);
    for (const c of cols) {
      const x = v[c];
      if (x === null || x === undefined) {
        at = buf.writeInt32BE(-1, at);
        continue;
      }
      at = buf.writeInt32BE(8, at);
      at = buf.writeDoubleBE(x, at);
    }
    at = buf.writeInt32BE(8, at);
    at = buf.writeDoubleBE(s.multiplier, at);
  }
  buf.writeInt16BE(-1, at);
  return buf;
}
