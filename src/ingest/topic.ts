import { isKind, type Kind } from '../domain/sample.js';

/** Ids of meters and concentrators: what the archive accepts and what is safe in a topic level. */
export const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export type Topic =
  | { type: 'meter'; meterId: string; kind: Kind }
  | { type: 'concentrator'; concentratorId: string; kind: Kind }
  | { type: 'status'; concentratorId: string };

/** Parses a device topic (docs/protocol.md); undefined for anything else. */
export function parseTopic(topic: string): Topic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || !DEVICE_ID.test(parts[1])) return undefined;
  const [root, id, leaf] = parts;
  if (root === 'concentrators' && leaf === 'status') return { type: 'status', concentratorId: id };
  if (!isKind(leaf)) return undefined;
  if (root === 'meters') return { type: 'meter', meterId: id, kind: leaf };
  if (root === 'concentrators') return { type: 'concentrator', concentratorId: id, kind: leaf };
  return undefined;
}
