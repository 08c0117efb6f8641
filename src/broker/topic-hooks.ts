import { randomUUID } from 'node:crypto';
import type { AuthorizePublishHandler, AuthorizeSubscribeHandler, Client, PublishPacket } from 'aedes';
import type { RecordSecurityEvent } from '../access/security-events.js';
import type { Journal } from '../ingest/journal.js';
import { textSafe, type QuarantineStore } from '../ingest/quarantine.js';
import type { Logger } from '../log.js';
import { sessionFields, type Session, type Sessions } from './sessions.js';
import type { KeyedBuckets } from './token-bucket.js';
import { decidePublish, decideSubscribe } from './topic-acl.js';

export interface TopicHookDeps {
  sessions: Sessions;
  maxTopicLevels: number;
  /** Per-device message rate: a faster device waits for its PUBACKs, nothing is dropped. */
  deviceRate: KeyedBuckets;
  journal: Pick<Journal, 'append' | 'full'>;
  quarantine: Pick<QuarantineStore, 'write'>;
  quarantinePayloadMaxBytes: number;
  securityEvent: RecordSecurityEvent;
  log: Logger;
  clock: () => number;
}

/** Topics in log lines: a hostile one may be 64 KiB long. */
const shortTopic = (topic: string) => (topic.length > 200 ? `${topic.slice(0, 200)}...` : topic);

function rateKey(session: Session, client: Client): string {
  return session.principal === 'anonymous' ? `anonymous:${client.id}` : session.principal.deviceId;
}

/**
 * PUBLISH and SUBSCRIBE. Devices' messages are made durable in authorizePublish, which aedes runs before it
 * writes the PUBACK (lib/handlers/publish.js: authorizePublish, then enqueuePublish writes the PubAck):
 * holding the callback until the journal has synced the message makes a QoS 1 PUBACK mean "stored on disk"
 * [MQTT-4.3.2-2 leaves when to acknowledge to the receiver]. An error from the hook closes the connection.
 */
export function topicHooks(deps: TopicHookDeps): { authorizePublish: AuthorizePublishHandler; authorizeSubscribe: AuthorizeSubscribeHandler } {
  const { sessions, journal, securityEvent, clock } = deps;

  function deny(client: Client | null, session: Session | undefined, packet: PublishPacket, reason: string): Error {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const max = deps.quarantinePayloadMaxBytes;
    securityEvent('acl_denied', { ...sessionFields(session, client), action: 'publish', topic: shortTopic(packet.topic), reason }, 'MQTT publish refused; client disconnected');
    deps.quarantine
      .write([{
        id: `acl-${randomUUID()}`,
        receivedAtMs: clock(),
        topic: textSafe(packet.topic),
        clientId: client ? textSafe(client.id) : null,
        meterId: null,
        reason: 'acl_denied',
        detail: `${session?.principal === 'anonymous' ? 'an anonymous client' : (session?.principal.kind ?? 'an unauthenticated client')} may not publish here (${reason})`,
        payload: payload.length > max ? payload.subarray(0, max) : payload,
        payloadBytes: payload.length,
      }])
      .catch((err: unknown) => deps.log.error({ err }, 'refused publish not recorded in quarantine'));
    return new Error(`publish refused: ${reason}`);
  }

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    const session = sessions.get(client);
    if (!client || !session) return callback(deny(client, session, packet, 'no_session'));
    const verdict = decidePublish(session.principal, packet.topic, deps.maxTopicLevels);
    if (!verdict.ok) return callback(deny(client, session, packet, verdict.reason));

    // Over its rate the device's message waits for its token; aedes reads nothing more from it meanwhile.
    const waitMs = deps.deviceRate.reserve(rateKey(session, client), clock());
    if (waitMs > 0) setTimeout(append, waitMs, client, packet, callback);
    else append(client, packet, callback);
  };

  // Made once, not per message: a closure per message costs an allocation and, under tsx, a __name call.
  function append(client: Client, packet: PublishPacket, callback: (err: Error | null | undefined) => void): void {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    // At the buffer cap a QoS 0 message waits like the others: aedes reads no further packet from
    // this client until the hook answers, so the device is slowed down instead of dropped.
    if (packet.qos === 0 && !journal.full) {
      journal.append(packet.topic, client.id, payload, clock());
      return callback(null);
    }
    journal.append(packet.topic, client.id, payload, clock(), callback);
  }

  const authorizeSubscribe: AuthorizeSubscribeHandler = (client, subscription, callback) => {
    const session = sessions.get(client);
    const verdict = session ? decideSubscribe(session.principal, subscription.topic, deps.maxTopicLevels) : ({ ok: false, reason: 'no_session' } as const);
    if (verdict.ok) return callback(null, subscription);
    securityEvent('acl_denied', { ...sessionFields(session, client), action: 'subscribe', topic: shortTopic(subscription.topic), reason: verdict.reason }, 'MQTT subscription refused');
    // A null subscription is answered with SUBACK return code 0x80 "failure" [MQTT-3.9.3]; the client stays.
    callback(null, null);
  };

  return { authorizePublish, authorizeSubscribe };
}
