import type { DevicePrincipal } from '../access/device.js';

/** Who holds an MQTT session: a device's principal, or a client without credentials (MQTT_ALLOW_ANONYMOUS). */
export type SessionPrincipal = DevicePrincipal | 'anonymous';

export type TopicRefusal = 'empty' | 'invalid_utf8' | 'wildcard' | 'too_deep' | 'reserved' | 'not_permitted';
export type TopicVerdict = { ok: true } | { ok: false; reason: TopicRefusal };

const OK: TopicVerdict = { ok: true };
const refuse = (reason: TopicRefusal): TopicVerdict => ({ ok: false, reason });

/**
 * mqtt-packet decodes ill-formed UTF-8 to U+FFFD rather than failing, so a replacement character is how a
 * malformed string shows up here [MQTT-1.5.3-1]; U+0000 is forbidden outright [MQTT-1.5.3-2]. No device id
 * or topic of ours contains either.
 */
export function isBadMqttString(s: string): boolean {
  return s.includes('\uFFFD') || s.includes('\u0000');
}

function levelsOf(topic: string): string[] {
  return topic.split('/');
}

function shapeRefusal(topic: string, levels: readonly string[], maxLevels: number): TopicRefusal | undefined {
  if (topic.length === 0) return 'empty';
  if (isBadMqttString(topic)) return 'invalid_utf8';
  if (levels.length > maxLevels) return 'too_deep';
  return undefined;
}

/** Whether the levels are `{root}/{id}/...` with a non-empty id (this one, if given) and at least one level below it. */
function isUnder(levels: readonly string[], root: string, id: string | undefined): boolean {
  const [first, second] = levels;
  return first === root && second !== undefined && second.length > 0 && (id === undefined || second === id) && levels.length > 2;
}

/**
 * Publish ACL. A meter publishes only to meters/{itself}/..., a concentrator only to concentrators/{itself}/...
 * (its records for meters not behind it are quarantined by ingest), an alarm subscriber to nothing, an
 * anonymous client to any meters/{id}/... or concentrators/{id}/... Nobody publishes to $-topics or alarms/...
 * Runs for every message: the topic is split once.
 */
export function decidePublish(who: SessionPrincipal, topic: string, maxLevels: number): TopicVerdict {
  const levels = levelsOf(topic);
  const shape = shapeRefusal(topic, levels, maxLevels);
  if (shape) return refuse(shape);
  // [MQTT-3.3.2-2] a topic name carries no wildcards.
  if (topic.includes('+') || topic.includes('#')) return refuse('wildcard');
  // [MQTT-4.7.2-1] $-topics are the broker's; alarms/... are the service's own publications.
  if (topic.startsWith('$') || levels[0] === 'alarms') return refuse('reserved');
  if (who === 'anonymous') return isUnder(levels, 'meters', undefined) || isUnder(levels, 'concentrators', undefined) ? OK : refuse('not_permitted');
  if (who.kind === 'meter') return isUnder(levels, 'meters', who.deviceId) ? OK : refuse('not_permitted');
  if (who.kind === 'concentrator') return isUnder(levels, 'concentrators', who.deviceId) ? OK : refuse('not_permitted');
  return refuse('not_permitted');
}

/** Whether every topic matched by filter `wanted` is matched by filter `granted` (both valid MQTT filters). */
export function filterCovers(granted: string, wanted: string): boolean {
  const g = levelsOf(granted);
  const w = levelsOf(wanted);
  for (let i = 0; i < g.length; i++) {
    // '#' also matches its parent level [MQTT-4.7.1-2], so alarms/K/# covers alarms/K.
    if (g[i] === '#') return true;
    if (i >= w.length) return false;
    if (g[i] === '+') {
      if (w[i] === '#') return false;
      continue;
    }
    if (g[i] !== w[i]) return false;
  }
  return w.length === g.length;
}

/**
 * Subscribe ACL. Devices subscribe only within their own command topics; alarm subscribers only within
 * the alarms/... filters issued with their credential; anonymous clients only within alarms/...
 */
export function decideSubscribe(who: SessionPrincipal, filter: string, maxLevels: number): TopicVerdict {
  const shape = shapeRefusal(filter, levelsOf(filter), maxLevels);
  if (shape) return refuse(shape);
  if (filter.startsWith('$')) return refuse('reserved');
  if (who === 'anonymous') return levelsOf(filter)[0] === 'alarms' ? OK : refuse('not_permitted');
  if (who.kind === 'meter') return filterCovers(`meters/${who.deviceId}/cmd/#`, filter) ? OK : refuse('not_permitted');
  if (who.kind === 'concentrator') return filterCovers(`concentrators/${who.deviceId}/cmd/#`, filter) ? OK : refuse('not_permitted');
  const issued = who.filters.filter((f) => levelsOf(f)[0] === 'alarms');
  return issued.some((f) => filterCovers(f, filter)) ? OK : refuse('not_permitted');
}
