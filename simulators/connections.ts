/** One MQTT connection per sender (client id = concentrator or meter id), reconnecting on its own. */
import mqtt, { type MqttClient } from 'mqtt';
import { statusTopic } from './messages.js';

export interface ConnectionOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  clientIdPrefix: string;
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
    const clientId = options.clientIdPrefix + id;
    const status = statusTopic(id, options.topicPrefix);
    const client = mqtt.connect(options.mqttUrl, {
      clientId,
      username: options.username,
      password: options.password,
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
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
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
