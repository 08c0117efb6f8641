import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import type { DeviceAuth } from '../access/device.js';
import type { RecordSecurityEvent } from '../access/security-events.js';
import type { Config } from '../config.js';
import type { Journal } from '../ingest/journal.js';
import type { QuarantineStore } from '../ingest/quarantine.js';
import { listenWithFallback, type Listening } from '../listen.js';
import type { Logger } from '../log.js';
import { AuthLockout } from '../access/auth-lockout.js';
import { connectHooks } from './connect-hooks.js';
import { Sessions } from './sessions.js';
import { limitPacketSize, SlowConsumers } from './socket-guards.js';
import { createTlsServer } from './tls-listener.js';
import { KeyedBuckets } from './token-bucket.js';
import { topicHooks } from './topic-hooks.js';

type MqttSettings = Config['mqtt'];

/** The MQTT settings (src/config.ts) and what the broker works with. */
export interface BrokerOptions extends MqttSettings {
  journal: Pick<Journal, 'append' | 'full'>;
  deviceAuth: DeviceAuth;
  /** Where a refused publish is kept, with its raw payload (reason acl_denied). */
  quarantine: Pick<QuarantineStore, 'write'>;
  quarantinePayloadMaxBytes: number;
  securityEvent: RecordSecurityEvent;
  log: Logger;
  clock: () => number;
}

export interface Broker {
  listening: Listening;
  /** The MQTTS port, when MQTT_TLS_CERT and MQTT_TLS_KEY are set. */
  tlsPort: number | undefined;
  aedes: Aedes;
  /** Publishes from the service itself (alarm topics); bypasses the device hooks. */
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
  close(): Promise<void>;
}

/** A subscriber with more than this unsent for MQTT_SLOW_SUBSCRIBER_S is frozen (a few alarm bursts' worth). */
const SLOW_BOUND_BYTES = 64 * 1024;
const SLOW_SWEEP_MS = 500;

/**
 * The embedded MQTT broker: aedes with our hooks (connect-hooks.ts: who may connect; topic-hooks.ts: what they
 * may publish and subscribe), guards on each socket (socket-guards.ts: packet size, frozen subscribers), a
 * per-IP connection rate, and a sweep that closes sessions whose credential was revoked or rotated.
 */
export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const { limits, log, clock, securityEvent, deviceAuth } = options;
  const sessions = new Sessions();
  const lockout = new AuthLockout({ maxFailures: limits.authFailuresMax, lockoutMs: limits.authLockoutMs });
  // One second's worth of burst: a device may catch up a little after a pause, not flood.
  const deviceRate = new KeyedBuckets(limits.deviceMsgPerSec, limits.deviceMsgPerSec);
  const ipRate = new KeyedBuckets(limits.ipConnectPerSec, limits.ipConnectBurst);
  const clientIdOf = (socket: Duplex) => (socket as Duplex & { client?: Client }).client?.id;
  const slow = new SlowConsumers(
    { boundBytes: SLOW_BOUND_BYTES, capBytes: Math.max(4 * limits.maxPacketBytes, 1024 * 1024), slowMs: limits.slowSubscriberMs },
    (socket, reason) =>
      securityEvent('limit_exceeded', { limit: 'slow_subscriber', reason, clientId: clientIdOf(socket), ip: (socket as Socket).remoteAddress }, 'MQTT client not reading its messages; disconnected'),
  );

  const aedes = await Aedes.createBroker({
    ...connectHooks({
      rules: { allowAnonymous: options.allowAnonymous, keepaliveMinS: limits.keepaliveMinS, keepaliveMaxS: limits.keepaliveMaxS },
      deviceAuth,
      lockout,
      sessions,
      journal: options.journal,
      securityEvent,
      clock,
    }),
    ...topicHooks({
      sessions,
      maxTopicLevels: limits.maxTopicLevels,
      deviceRate,
      journal: options.journal,
      quarantine: options.quarantine,
      quarantinePayloadMaxBytes: options.quarantinePayloadMaxBytes,
      securityEvent,
      log,
      clock,
    }),
    connectTimeout: limits.connectTimeoutMs,
    // aedes checks topic depth before our hooks too (and clamps it at 100, its matcher's limit).
    maxTopicLevels: limits.maxTopicLevels,
    // Second line only: watched sockets always report room (SlowConsumers), so aedes never waits for a drain.
    drainTimeout: limits.slowSubscriberMs,
  });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client?.id, err }, 'MQTT client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err }, 'MQTT connection error'));

  const sockets = new Set<Duplex>();
  const throttled = new Set<string>();
  /** Per-IP connection rate, checked on the TCP connection before any TLS or MQTT work. */
  function admit(socket: Socket): boolean {
    const ip = socket.remoteAddress ?? 'unknown';
    if (ipRate.tryTake(ip, clock())) {
      throttled.delete(ip);
      return true;
    }
    // Reported once per address per sweep period, not per connection of a flood.
    if (!throttled.has(ip)) securityEvent('limit_exceeded', { limit: 'connection_rate', ip }, 'MQTT connections from this address over the rate; refused');
    throttled.add(ip);
    socket.destroy();
    return false;
  }
  function serve(socket: Duplex & { remoteAddress?: string }): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    limitPacketSize(socket, limits.maxPacketBytes, (verdict) =>
      securityEvent('limit_exceeded', { limit: 'packet_size', verdict, clientId: clientIdOf(socket), ip: socket.remoteAddress }, 'MQTT packet over the size limit; connection closed'),
    );
    slow.watch(socket);
    aedes.handle(socket);
  }

  const server: Server = createServer((socket) => {
    if (admit(socket)) serve(socket);
  });
  const listening = await listenWithFallback({ variable: 'MQTT_PORT', port: options.port, explicit: options.portExplicit }, (port) =>
    listen(server, port, options.host),
  );
  let tlsServer: Server | undefined;
  let tlsPort: number | undefined;
  if (options.tls) {
    tlsServer = await createTlsServer(options.tls, limits.connectTimeoutMs, serve);
    tlsServer.on('connection', (socket: Socket) => admit(socket));
    tlsServer.on('tlsClientError', (err) => log.debug({ err }, 'MQTTS handshake failed'));
    tlsPort = await listen(tlsServer, options.tls.port, options.host);
  }

  /**
   * Revoked or rotated credentials end live sessions within one period (MQTT_REVALIDATE_S, at most 60 s): the
   * credentials are read first, so a revocation made on another node is not first waited for by DeviceAuth's own
   * refresh (unsynchronised with this sweep, that made it up to two periods). A failed read keeps the last known.
   */
  let revalidation: Promise<void> | undefined;
  async function endRevokedSessions(): Promise<void> {
    await deviceAuth.refresh().catch((err: unknown) => log.warn({ err }, 'device credentials not re-read before the revocation sweep; using the last known'));
    // aedes keeps its connected clients by id; its type declarations leave the map out.
    for (const client of Object.values((aedes as Aedes & { clients: Record<string, Client> }).clients)) {
      const principal = sessions.get(client)?.principal;
      if (!principal || principal === 'anonymous' || deviceAuth.isCurrent(principal)) continue;
      securityEvent('revocation', { clientId: client.id, deviceId: principal.deviceId, kind: principal.kind }, 'MQTT session closed: its credential was revoked or rotated');
      sessions.end(client);
      client.close();
    }
  }
  const revalidating = setInterval(() => {
    // One sweep at a time: while a slow database read runs, later ticks are skipped rather than queued.
    revalidation ??= endRevokedSessions()
      .catch((err: unknown) => log.error({ err }, 'revocation sweep failed; the next period retries'))
      .finally(() => (revalidation = undefined));
    const now = clock();
    throttled.clear();
    lockout.prune(now);
    deviceRate.prune(now);
    ipRate.prune(now);
  }, limits.revalidateMs);
  const sweeping = setInterval(() => slow.sweep(clock()), SLOW_SWEEP_MS);
  revalidating.unref();
  sweeping.unref();

  return {
    listening,
    tlsPort,
    aedes,
    publish: (topic, payload, qos) =>
      new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
      ),
    async close() {
      clearInterval(revalidating);
      clearInterval(sweeping);
      await revalidation;
      const closed = Promise.all([server, tlsServer].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      // Connections that never completed CONNECT are not aedes clients yet.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
