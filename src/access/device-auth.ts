import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log.js';
import { applyChanges, isCurrentIn, isLive, nextSince, principalOf, type Cached } from './credential-cache.js';
import type { DeviceAuth, DevicePrincipal } from './device.js';
import type { DeviceCredentialStore } from './devices.js';
import { verifySecret } from './secret-hash.js';

const sha256 = (secret: string) => createHash('sha256').update(secret).digest();

/** Longer than any credential write takes, so a row committed late is still read (see nextSince). */
const OVERLAP_MS = 60_000;

export interface DeviceAuthService extends DeviceAuth {
  /**
   * Secrets this process has just issued (after refresh() has read them), remembered as if verified: a device's
   * first CONNECT right after provisioning costs no scrypt. Ignored unless the cache holds that very version.
   */
  remember(issued: readonly { deviceId: string; version: number; secret: string }[]): void;
  close(): void;
}

export interface DeviceAuthOptions {
  store: Pick<DeviceCredentialStore, 'changedSince'>;
  /** Another process's issue, rotation or revocation is seen within this (MQTT_REVALIDATE_S). */
  revalidateMs: number;
  log: Logger;
  /** The slow check; tests wrap it to count how often it runs. */
  verifySecret?: typeof verifySecret;
}

/**
 * The broker's DeviceAuth: every credential's hash in memory, refreshed from the table. A device that
 * reconnects with the secret it last proved costs a SHA-256, not a scrypt: a reconnect storm after a
 * broker restart costs one scrypt per device. Failures are never remembered as successes.
 */
export function createDeviceAuth(options: DeviceAuthOptions): DeviceAuthService {
  const { store, log } = options;
  const slowCheck = options.verifySecret ?? verifySecret;
  const cache = new Map<string, Cached>();
  /** deviceId -> the credential version and SHA-256 of the secret that last verified. */
  const verified = new Map<string, { version: number; digest: Buffer }>();
  /** Concurrent CONNECTs of one device with one secret share one scrypt. */
  const inflight = new Map<string, Promise<boolean>>();
  let since: Date | undefined;
  let chain: Promise<void> = Promise.resolve();

  async function readChanges(): Promise<void> {
    const { rows, newestAt } = await store.changedSince(since);
    for (const id of applyChanges(cache, rows)) verified.delete(id);
    since = nextSince(since, newestAt, OVERLAP_MS);
  }
  const refresh = () => (chain = chain.catch(() => undefined).then(readChanges));
  // Until the first load has answered, verify() waits for it rather than refusing every device at start.
  const firstLoad = refresh().catch((err: unknown) => log.error({ err }, 'device credentials not loaded yet; retrying'));
  const timer = setInterval(() => refresh().catch((err: unknown) => log.error({ err }, 'device credentials not refreshed; keeping the last known')), options.revalidateMs);
  timer.unref();

  async function proves(c: Cached, secret: string, digest: Buffer): Promise<boolean> {
    const last = verified.get(c.deviceId);
    if (last && last.version === c.version && timingSafeEqual(last.digest, digest)) return true;
    const key = `${c.deviceId}\u0000${c.version}\u0000${digest.toString('hex')}`;
    let pending = inflight.get(key);
    if (!pending) {
      pending = slowCheck(secret, c.secretHash).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  }

  return {
    async verify(deviceId: string, secret: string): Promise<DevicePrincipal | undefined> {
      await firstLoad;
      const c = cache.get(deviceId);
      if (!isLive(c)) return undefined;
      const digest = sha256(secret);
      if (!(await proves(c, secret, digest))) return undefined;
      // The credential may have been rotated or revoked while scrypt ran.
      if (cache.get(deviceId) !== c) return undefined;
      verified.set(deviceId, { version: c.version, digest });
      return principalOf(c);
    },
    byCertificate(deviceId: string): DevicePrincipal | undefined {
      const c = cache.get(deviceId);
      return isLive(c) ? principalOf(c) : undefined;
    },
    isCurrent: (principal) => isCurrentIn(cache, principal),
    refresh,
    remember(issued) {
      for (const { deviceId, version, secret } of issued) {
        if (cache.get(deviceId)?.version === version) verified.set(deviceId, { version, digest: sha256(secret) });
      }
    },
    close: () => clearInterval(timer),
  };
}
