import type { Sql } from '../db/sql.js';
import type { DeviceKind } from './device.js';
import type { ArchiveDeviceKind, CredentialMetadata, DeviceCredential, DeviceCredentialStore, NewCredential } from './devices.js';

interface Row {
  device_id: string;
  kind: DeviceKind;
  secret_hash: string;
  filters: string[];
  version: number;
  issued_at: Date;
  rotated_at: Date;
  issued_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
  updated_at: Date;
}

const METADATA = 'device_id, kind, filters, version, issued_at, rotated_at, issued_by, revoked_at, revoked_by, updated_at';

const metadataOf = (r: Omit<Row, 'secret_hash'>): CredentialMetadata => ({
  deviceId: r.device_id,
  kind: r.kind,
  filters: r.filters,
  version: r.version,
  issuedAt: r.issued_at,
  rotatedAt: r.rotated_at,
  issuedBy: r.issued_by,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
  updatedAt: r.updated_at,
});

const credentialOf = (r: Row): DeviceCredential => ({ ...metadataOf(r), secretHash: r.secret_hash });

/** Device credentials in PostgreSQL (server or PGlite). */
export function createDeviceCredentialStorePg(sql: Sql): DeviceCredentialStore {
  return {
    async put(c: NewCredential) {
      const { rows } = await sql.query<Row>(
        `INSERT INTO device_credentials (device_id, kind, secret_hash, filters, issued_by) VALUES ($1, $2, $3, $4::text[], $5)
         ON CONFLICT (device_id) DO UPDATE SET kind = EXCLUDED.kind, secret_hash = EXCLUDED.secret_hash, filters = EXCLUDED.filters,
           version = device_credentials.version + 1, rotated_at = now(), issued_by = EXCLUDED.issued_by,
           revoked_at = NULL, revoked_by = NULL, updated_at = now()
         RETURNING ${METADATA}`,
        [c.deviceId, c.kind, c.secretHash, [...c.filters], c.issuedBy],
      );
      return metadataOf(rows[0]);
    },

    async insertMissing(credentials) {
      if (credentials.length === 0) return [];
      const { rows } = await sql.query<{ device_id: string }>(
        `INSERT INTO device_credentials (device_id, kind, secret_hash, filters, issued_by)
         SELECT id, kind, hash, '{}', $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS n (id, kind, hash)
         ON CONFLICT (device_id) DO NOTHING
         RETURNING device_id`,
        [credentials.map((c) => c.deviceId), credentials.map((c) => c.kind), credentials.map((c) => c.secretHash), credentials[0].issuedBy],
      );
      return rows.map((r) => r.device_id);
    },

    async missing(deviceIds) {
      const { rows } = await sql.query<{ id: string }>(
        `SELECT id FROM unnest($1::text[]) AS n (id) WHERE NOT EXISTS (SELECT 1 FROM device_credentials d WHERE d.device_id = n.id)`,
        [[...deviceIds]],
      );
      return rows.map((r) => r.id);
    },

    async get(deviceId) {
      const { rows } = await sql.query<Row>(`SELECT ${METADATA} FROM device_credentials WHERE device_id = $1`, [deviceId]);
      return rows[0] && metadataOf(rows[0]);
    },

    async revoke(deviceId, by) {
      const { rows } = await sql.query<Row>(
        `UPDATE device_credentials SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2),
           updated_at = CASE WHEN revoked_at IS NULL THEN now() ELSE updated_at END
         WHERE device_id = $1 RETURNING ${METADATA}`,
        [deviceId, by],
      );
      return rows[0] && metadataOf(rows[0]);
    },

    async changedSince(since) {
      const { rows } = await sql.query<Row>(
        `SELECT * FROM device_credentials WHERE $1::timestamptz IS NULL OR updated_at >= $1::timestamptz`,
        [since ?? null],
      );
      const newestAt = rows.reduce<Date | undefined>((max, r) => (max && max >= r.updated_at ? max : r.updated_at), undefined);
      return { rows: rows.map(credentialOf), newestAt };
    },

    async archiveKind(deviceId): Promise<ArchiveDeviceKind | undefined> {
      const { rows } = await sql.query<{ kind: 'meter' | 'concentrator' }>(
        `SELECT 'meter' AS kind FROM meters WHERE id = $1 UNION ALL SELECT 'concentrator' FROM concentrators WHERE id = $1`,
        [deviceId],
      );
      return rows.length > 1 ? 'ambiguous' : rows[0]?.kind;
    },
  };
}
