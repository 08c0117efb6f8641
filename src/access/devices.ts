import type { DeviceKind } from './device.js';

/** One MQTT credential as stored: the secret only as its scrypt hash. */
export interface DeviceCredential {
  deviceId: string;
  kind: DeviceKind;
  secretHash: string;
  /** Subscribers only; empty for meters and concentrators. */
  filters: string[];
  /** 1 at issue, raised by every rotation. */
  version: number;
  issuedAt: Date;
  rotatedAt: Date;
  issuedBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  updatedAt: Date;
}

/** What the API shows about a credential: everything but the hash. */
export type CredentialMetadata = Omit<DeviceCredential, 'secretHash'>;

export interface NewCredential {
  deviceId: string;
  kind: DeviceKind;
  secretHash: string;
  filters: readonly string[];
  issuedBy: string;
}

/** Whether an id names a meter or a concentrator in the customer archive (an id naming both is ambiguous). */
export type ArchiveDeviceKind = 'meter' | 'concentrator' | 'ambiguous';

/** The credential table; src/access/devices.pg.ts on PostgreSQL or PGlite. */
export interface DeviceCredentialStore {
  /** Issues or rotates: a new hash and kind, version + 1 (1 when new), no longer revoked. */
  put(credential: NewCredential): Promise<CredentialMetadata>;
  /** Inserts those whose id has no row at all (a revoked credential stays revoked); returns the ids inserted. */
  insertMissing(credentials: readonly NewCredential[]): Promise<string[]>;
  /** Of these ids, those with no row at all. */
  missing(deviceIds: readonly string[]): Promise<string[]>;
  get(deviceId: string): Promise<CredentialMetadata | undefined>;
  /** Undefined when there is no such credential; an already revoked one keeps its first revocation. */
  revoke(deviceId: string, by: string): Promise<CredentialMetadata | undefined>;
  /**
   * Every row whose updated_at is at or after `since` (all rows without it), with the newest updated_at seen.
   * Timestamps are the database's, so processes on different clocks agree.
   */
  changedSince(since: Date | undefined): Promise<{ rows: DeviceCredential[]; newestAt: Date | undefined }>;
  archiveKind(deviceId: string): Promise<ArchiveDeviceKind | undefined>;
}
