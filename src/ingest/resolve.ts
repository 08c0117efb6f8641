import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { Decoded, Rejection } from './decode.js';
import { normalise, wiringMismatch } from './normalise.js';
import type { Topic } from './topic.js';

/** What ingest needs of the customer archive; ArchiveCache implements it without I/O. */
export interface ArchiveLookup {
  get(meterId: string): MeterContext | undefined;
  hasConcentrator(concentratorId: string): boolean;
}

export interface Resolved {
  samples: AnySample[];
  rejections: Rejection[];
}

/** Checks decoded samples against the archive and turns them into primary values. Pure. */
export function resolveSamples(topic: Exclude<Topic, { type: 'status' }>, decoded: Decoded, archive: ArchiveLookup): Resolved {
  const out: Resolved = { samples: [], rejections: decoded.rejections };
  const concentratorId = topic.type === 'concentrator' ? topic.concentratorId : undefined;
  const concentratorKnown = concentratorId === undefined || archive.hasConcentrator(concentratorId);
  for (const s of decoded.samples) {
    const ctx = archive.get(s.meterId);
    if (!concentratorKnown) {
      reject(out, s, 'unknown_concentrator', `concentrator ${concentratorId} is not in the archive`);
    } else if (!ctx) {
      reject(out, s, 'unknown_meter', `meter ${s.meterId} is not in the archive`);
    } else if (concentratorId !== undefined && ctx.meter.concentratorId !== concentratorId) {
      // A concentrator may only speak for the meters the archive puts behind it.
      reject(out, s, 'not_behind_concentrator', `meter ${s.meterId} is not registered behind concentrator ${concentratorId}`);
    } else {
      const phase = wiringMismatch(s.kind, s.record, ctx.meter.wiring);
      if (phase) reject(out, s, 'wiring_mismatch', `meter ${s.meterId} is ${ctx.meter.wiring}: it has no phase ${phase}`);
      else out.samples.push(normalise(s.kind, s.meterId, s.tsMs, s.record, ctx.meter));
    }
  }
  return out;
}

// Module level, not a closure per call: resolveSamples runs for every message ingested (under tsx every closure
// made also costs a __name call).
function reject(out: Resolved, s: Decoded['samples'][number], reason: Rejection['reason'], detail: string): void {
  out.rejections.push({ reason, detail, index: s.index, meterId: s.meterId, record: s.record });
}
