import type { Archive } from '../archive/validate.js';
import { checkAlarmFilters } from './alarm-filters.js';
import type { DeviceKind } from './device.js';
import type { CredentialMetadata, DeviceCredentialStore } from './devices.js';
import { hashSecret, newSecret } from './secret-hash.js';
import type { RecordSecurityEvent } from './security-events.js';

/** A secret as issued: returned once to whoever asked, never stored or logged. */
export interface IssuedSecret {
  deviceId: string;
  kind: DeviceKind;
  secret: string;
  /** The credential version this secret belongs to. */
  version: number;
}

export type IssueOutcome =
  | ({ ok: true } & IssuedSecret)
  | { ok: false; code: 'DEVICE_NOT_FOUND' | 'DEVICE_AMBIGUOUS' | 'ID_TAKEN' | 'INVALID_FILTERS'; message: string };

/** Issuing, rotating and revoking MQTT credentials: what the API calls. */
export interface DeviceCredentials {
  /** Issues (or rotates) the credential of a meter or concentrator in the archive; the kind comes from the archive. */
  issueDevice(deviceId: string, by: string): Promise<IssueOutcome>;
  /** Issues (or re-issues with new filters) an alarm subscriber's credential; its id may not be a device's. */
  issueSubscriber(id: string, filters: readonly string[], by: string): Promise<IssueOutcome>;
  /** Issues credentials for the devices of an imported archive that connect by themselves and have none yet. */
  issueMissing(archive: Pick<Archive, 'meters' | 'concentrators'>, by: string): Promise<IssuedSecret[]>;
  get(deviceId: string): Promise<CredentialMetadata | undefined>;
  /** Undefined when there is no credential of these kinds under that id. */
  revoke(deviceId: string, kinds: readonly DeviceKind[], by: string): Promise<CredentialMetadata | undefined>;
}

export interface CredentialsOptions {
  store: DeviceCredentialStore;
  securityEvent: RecordSecurityEvent;
  /**
   * Called after every change this process made, with the secrets it issued, so its own broker sees the change
   * at once (and may remember those secrets as verified); must not throw.
   */
  onChange(issued: readonly IssuedSecret[]): Promise<void>;
}

/**
 * Devices that hold an MQTT session of their own: concentrators and meters not behind one. A meter behind a
 * concentrator reaches the broker only through it (its records arrive on the concentrator's topics), so
 * import issues it no secret to leak; the API issues one if it is ever to connect directly.
 */
export function connectingDevices(archive: Pick<Archive, 'meters' | 'concentrators'>): { id: string; kind: 'meter' | 'concentrator' }[] {
  return [
    ...archive.concentrators.map((id) => ({ id, kind: 'concentrator' as const })),
    ...archive.meters.filter((m) => m.concentratorId === null).map((m) => ({ id: m.id, kind: 'meter' as const })),
  ];
}

export function createDeviceCredentials({ store, securityEvent, onChange }: CredentialsOptions): DeviceCredentials {
  async function put(deviceId: string, kind: DeviceKind, filters: readonly string[], by: string): Promise<IssueOutcome> {
    const secret = newSecret();
    const stored = await store.put({ deviceId, kind, secretHash: await hashSecret(secret), filters, issuedBy: by });
    const issued = { deviceId, kind, secret, version: stored.version };
    await onChange([issued]);
    securityEvent('credential_issued', { deviceId, kind, version: stored.version, by }, stored.version === 1 ? 'MQTT credential issued' : 'MQTT credential rotated');
    return { ok: true, ...issued };
  }

  return {
    async issueDevice(deviceId, by) {
      const kind = await store.archiveKind(deviceId);
      if (kind === undefined) return { ok: false, code: 'DEVICE_NOT_FOUND', message: `device ${deviceId} is not a meter or concentrator in the archive` };
      if (kind === 'ambiguous') return { ok: false, code: 'DEVICE_AMBIGUOUS', message: `${deviceId} is both a meter and a concentrator in the archive; MQTT cannot tell them apart` };
      if ((await store.get(deviceId))?.kind === 'subscriber') return { ok: false, code: 'ID_TAKEN', message: `${deviceId} is an alarm subscriber's id` };
      return put(deviceId, kind, [], by);
    },

    async issueSubscriber(id, filters, by) {
      const problems = checkAlarmFilters(filters);
      if (problems.length > 0) return { ok: false, code: 'INVALID_FILTERS', message: problems.join('; ') };
      const existing = await store.get(id);
      if ((await store.archiveKind(id)) !== undefined || (existing && existing.kind !== 'subscriber')) {
        return { ok: false, code: 'ID_TAKEN', message: `${id} is a device id; choose another id for the subscriber` };
      }
      return put(id, 'subscriber', [...new Set(filters)], by);
    },

    async issueMissing(archive, by) {
      const devices = connectingDevices(archive);
      const missing = new Set(await store.missing(devices.map((d) => d.id)));
      const issued: IssuedSecret[] = devices.filter((d) => missing.has(d.id)).map((d) => ({ deviceId: d.id, kind: d.kind, secret: newSecret(), version: 1 }));
      const hashes = await Promise.all(issued.map((i) => hashSecret(i.secret)));
      const inserted = new Set(await store.insertMissing(issued.map((i, k) => ({ deviceId: i.deviceId, kind: i.kind, secretHash: hashes[k], filters: [], issuedBy: by }))));
      if (inserted.size === 0) return [];
      const kept = issued.filter((i) => inserted.has(i.deviceId));
      await onChange(kept);
      securityEvent('credential_issued', { devices: inserted.size, by, via: 'archive import' }, 'MQTT credentials issued for imported devices');
      return kept;
    },

    get: (deviceId) => store.get(deviceId),

    async revoke(deviceId, kinds, by) {
      const existing = await store.get(deviceId);
      if (!existing || !kinds.includes(existing.kind)) return undefined;
      const revoked = await store.revoke(deviceId, by);
      await onChange([]);
      securityEvent('revocation', { deviceId, kind: existing.kind, by }, 'MQTT credential revoked');
      return revoked;
    },
  };
}
