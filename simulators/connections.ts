/**
 * One MQTT connection per sender, reconnecting on its own. A sender with a credential of its own connects as
 * itself (username = client id = its id, the service's rule); the others use the shared username/password
 * and clientIdPrefix + their id.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { statusTopic } from './messages.js';

export interface ConnectionOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  clientIdPrefix: string;
  /** Per-sender secrets by device id (issued by the service's archive import or API). */
  credentials?: ReadonlyMap<string, string>;
  topicPrefix: string;
  onEvent?: (event: ConnectionEvent) => void;
}

export type ConnectionEvent =
  | { type: 'connect' | 'reconnect' | 'offline'; clientId: string }
  | { type: 'error'; clientId: string; error: Error };

export interface Connection {
  client: MqttClient;
  /** Concentrators announce themselves on their status topic; direct meters do not. */
  concentrator: boolean;
}

/** Resolves once every client has connected at least once; mqtt.js keeps retrying meanwhile. */
export async function openConnections(senders: { id: string; concentrator: boolean }[], options: ConnectionOptions, signal?: AbortSignal): Promise<Map<string, Connection>> {
  const connections = new Map<string, Connection>();
  const connected: Promise<void>[] = [];
  for (const { id, concentrator } of senders) {
    const secret = options.credentials?.get(id);
    const clientId = secret === undefined ? options.clientIdPrefix + id : id;
    const status = statusTopic(id, options.topicPrefix);
    const client = mqtt.connect(options.mqttUrl, {
      clientId,
      username: secret === undefined ? options.username : id,
      password: secret ?? options.password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // The broker tells the service the concentrator is gone if the connection drops (protocol: status as last will).
      will: concentrator ? { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true } : undefined,
    });
    const emit = options.onEvent ?? (() => {});
    client.on('connect', () => {
      emit({ type: 'connect', clientId });
      if (concentrator) client.publish(status, 'online', { qos: 1, retain: true });
    });
    client.on('reconnect', () => emit({ type: 'reconnect', clientId }));
    client.on('offline', () => emit({ type: 'offline', clientId }));
    client.on('error', (error) => emit({ type: 'error', clientId, error }));
    connections.set(id, { client, concentrator });
    connected.push(firstConnect(client, signal));
  }
  try {
    await Promise.all(connected);
  } catch (err) {
    await closeConnections(connections, options.topicPrefix, false);
    throw err;
  }
  return connections;
}

function firstConnect(client: MqttClient, signal?: AbortSignal): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted before connecting'));
    // A refused CONNACK carries a numeric reason code, and mqtt.js does not retry it: waiting would hang.
    const onRefused = (err: Error & { code?: unknown }) => {
      if (typeof err.code === 'number') reject(new Error(`the broker refused ${client.options.clientId}: ${err.message}`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', onRefused);
    client.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      client.off('error', onRefused);
      resolve();
    });
  });
}

/** A graceful close says "offline" itself, since the broker only sends the will on an unclean drop. */
export async function closeConnections(connections: Map<string, Connection>, topicPrefix: string, sayOffline = true): Promise<void> {
  await Promise.all(
    [...connections].map(async ([id, { client, concentrator }]) => {
      if (sayOffline && concentrator && client.connected) await client.publishAsync(statusTopic(id, topicPrefix), 'offline', { qos: 1, retain: true }).catch(() => undefined);
      await client.endAsync(!client.connected);
    }),
  );
}
