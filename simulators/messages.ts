/** Turns a step of the fleet into MQTT messages: one per concentrator and kind, one per direct meter and kind. */
import type { Kind } from '../src/domain/sample.js';
import type { Fleet } from './fleet.js';
import type { StepSamples } from './records.js';

export interface OutgoingMessage {
  /** Which connection sends it: the concentrator id, or the meter id of a direct meter. */
  sender: string;
  topic: string;
  payload: string;
  samples: number;
}

export interface Senders {
  /** Concentrator id -> indices of the meters behind it. */
  concentrators: Map<string, number[]>;
  directMeters: number[];
}

export function sendersOf(fleet: Fleet): Senders {
  const concentrators = new Map<string, number[]>(fleet.concentrators.map((c) => [c.id, []]));
  const directMeters: number[] = [];
  for (const m of fleet.meters) {
    if (m.concentratorId === null) directMeters.push(m.index);
    else concentrators.get(m.concentratorId)?.push(m.index);
  }
  for (const [id, meters] of concentrators) if (meters.length === 0) concentrators.delete(id);
  return { concentrators, directMeters };
}

/** Who holds an MQTT session: each concentrator with meters behind it, and each direct meter. */
export function senderIds(fleet: Fleet, senders = sendersOf(fleet)): { id: string; concentrator: boolean }[] {
  return [...[...senders.concentrators.keys()].map((id) => ({ id, concentrator: true })), ...senders.directMeters.map((k) => ({ id: fleet.meters[k].id, concentrator: false }))];
}

const STEP_KINDS = ['voltage', 'current', 'load', 'reading'] as const satisfies readonly Kind[];

export function stepMessages(senders: Senders, step: StepSamples, topicPrefix = ''): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (const kind of STEP_KINDS) {
    const records = step[kind];
    if (!records) continue;
    for (const [id, meters] of senders.concentrators) {
      const batch = meters.map((k) => records[k]);
      out.push({ sender: id, topic: `${topicPrefix}concentrators/${id}/${kind}`, payload: JSON.stringify({ records: batch }), samples: batch.length });
    }
    for (const k of senders.directMeters) {
      // A meter publishing for itself names itself in the topic, not in the sample.
      const { meter, ...sample } = records[k];
      out.push({ sender: meter, topic: `${topicPrefix}meters/${meter}/${kind}`, payload: JSON.stringify(sample), samples: 1 });
    }
  }
  return out;
}

export function statusTopic(concentratorId: string, topicPrefix = ''): string {
  return `${topicPrefix}concentrators/${concentratorId}/status`;
}
