import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateHandler, type AuthorizePublishHandler } from 'aedes';
import type { Journal } from '../ingest/journal.js';
import { listenWithFallback, type Listening } from '../listen.js';
import type { Logger } from '../log.js';

export interface BrokerOptions {
  host: string;
  port: number;
  portExplicit: boolean;
  journal: Pick<Journal, 'append' | 'full'>;
  log: Logger;
  clock: () => number;
}

export interface Broker {
  listening: Listening;
  aedes: Aedes;
  /** Publishes from the service itself (alarm topics); bypasses the device hooks. */
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
  close(): Promise<void>;
}

/**
 * The embedded MQTT broker. Devices' messages are made durable in authorizePublish, which aedes
 * runs before it writes the PUBACK (lib/handlers/publish.js: authorizePublish, then enqueuePublish
 * writes the PubAck): holding the callback until the journal has synced the message makes a QoS 1
 * PUBACK mean "stored on disk" [MQTT-4.3.2-2 leaves when to acknowledge to the receiver].
 */
export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const { journal, log, clock } = options;

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    // [MQTT-4.7.2-1] $-topics are the broker's own; a client may not publish into them.
    if (packet.topic.startsWith('$')) return callback(new Error('publishing to $ topics is not allowed'));
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    // At the buffer cap a QoS 0 message waits like the others: aedes reads no further packet from
    // this client until the hook answers, so the device is slowed down instead of dropped.
    if (packet.qos === 0 && !journal.full) {
      journal.append(packet.topic, client?.id ?? '', payload, clock());
      return callback(null);
    }
    journal.append(packet.topic, client?.id ?? '', payload, clock(), (err) => callback(err ?? null));
  };

  // Every connection is accepted (no device credentials yet) except while the ingest buffer is
  // full: returnCode 3 makes aedes answer CONNACK "server unavailable" [MQTT-3.2.2-6] and close.
  const authenticate: AuthenticateHandler = (_client, _username, _password, callback) => {
    if (!journal.full) return callback(null, true);
    const err = Object.assign(new Error('ingest buffer full'), { returnCode: 3 as const });
    callback(err, false);
  };

  const aedes = await Aedes.createBroker({ authenticate, authorizePublish });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client?.id, err }, 'MQTT client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err }, 'MQTT connection error'));

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const listening = await listenWithFallback({ variable: 'MQTT_PORT', port: options.port, explicit: options.portExplicit }, (port) =>
    new Promise<number>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, options.host, () => {
        server.off('error', onError);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    }),
  );

  return {
    listening,
    aedes,
    publish: (topic, payload, qos) =>
      new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
      ),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      // Connections that never completed CONNECT are not aedes clients yet.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
