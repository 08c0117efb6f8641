import type { DeviceAuth, DeviceKind, DevicePrincipal } from '../access/device.js';
import type { SecurityEvent } from '../access/security-events.js';
import type { MqttLimits } from '../config.js';
import type { QuarantineEntry } from '../ingest/quarantine.js';
import { createLogger } from '../log.js';
import { startBroker, type Broker, type BrokerOptions } from './broker.js';

/** Our own DeviceAuth port held in memory, for broker tests (src/access/device-auth.ts is the real one). */
export class MemoryDeviceAuth implements DeviceAuth {
  private readonly devices = new Map<string, { secret: string; principal: DevicePrincipal }>();
  private versions = 0;

  add(deviceId: string, kind: DeviceKind, secret: string, filters: string[] = []): DevicePrincipal {
    const principal = { deviceId, kind, filters, version: String(++this.versions) };
    this.devices.set(deviceId, { secret, principal });
    return principal;
  }

  revoke(deviceId: string): void {
    this.devices.delete(deviceId);
  }

  async verify(deviceId: string, secret: string): Promise<DevicePrincipal | undefined> {
    const d = this.devices.get(deviceId);
    return d && d.secret === secret ? d.principal : undefined;
  }

  byCertificate(deviceId: string): DevicePrincipal | undefined {
    return this.devices.get(deviceId)?.principal;
  }

  /** Nothing to read: the map is the truth. */
  async refresh(): Promise<void> {}

  isCurrent(principal: DevicePrincipal): boolean {
    return this.devices.get(principal.deviceId)?.principal.version === principal.version;
  }
}

export const TEST_LIMITS: MqttLimits = {
  maxPacketBytes: 64 * 1024,
  maxTopicLevels: 16,
  connectTimeoutMs: 2_000,
  keepaliveMinS: 5,
  keepaliveMaxS: 3600,
  deviceMsgPerSec: 1000,
  ipConnectPerSec: 1000,
  ipConnectBurst: 1000,
  authFailuresMax: 100,
  authLockoutMs: 60_000,
  revalidateMs: 60_000,
  slowSubscriberMs: 1_000,
};

export interface TestBroker {
  broker: Broker;
  url: string;
  devices: MemoryDeviceAuth;
  /** What reached the journal: topic, client id, payload, when. */
  journaled: { topic: string; clientId: string; payload: Buffer; atMs: number }[];
  quarantined: QuarantineEntry[];
  events: { event: SecurityEvent; fields: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** The broker alone on a free port on 127.0.0.1, with an in-memory journal, quarantine and DeviceAuth. */
export async function startTestBroker(
  change: { allowAnonymous?: boolean; limits?: Partial<MqttLimits>; tls?: BrokerOptions['tls']; /** Instead of the in-memory one. */ deviceAuth?: DeviceAuth } = {},
): Promise<TestBroker> {
  const devices = new MemoryDeviceAuth();
  const journaled: TestBroker['journaled'] = [];
  const quarantined: QuarantineEntry[] = [];
  const events: TestBroker['events'] = [];
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    portExplicit: true,
    allowAnonymous: change.allowAnonymous ?? false,
    tls: change.tls,
    limits: { ...TEST_LIMITS, ...change.limits },
    journal: {
      full: false,
      append(topic, clientId, payload, atMs, done) {
        journaled.push({ topic, clientId, payload: Buffer.from(payload), atMs });
        if (done) setImmediate(done, null);
      },
    },
    deviceAuth: change.deviceAuth ?? devices,
    quarantine: { write: async (entries) => void quarantined.push(...entries) },
    quarantinePayloadMaxBytes: 4096,
    securityEvent: (event, fields) => events.push({ event, fields }),
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    clock: Date.now,
  });
  return { broker, url: `mqtt://127.0.0.1:${broker.listening.port}`, devices, journaled, quarantined, events, close: () => broker.close() };
}
