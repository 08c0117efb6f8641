import type { MeterContext } from '../domain/archive.js';
import type { AnySample } from '../domain/sample.js';
import type { Decoded, Rejection } from './decode.js';
import { normalise, wiringMismatch } from './normalise.js';
import type { Topic } from './topic.js';

/** What ingest needs of the customer archive; ArchiveCache implements it without I/O. */
export interface ArchiveLookup {
  get(meterId: string): MeterContext | undefined;
  hasConcentrator(concentratorId: string): boolean;
  isBehind(meterId: string, concentratorId: string): boolean;
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
  // No closure per sample: this loop runs for every sample ingested.
  const reject = (s: Decoded['samples'][number], reason: Rejection['reason'], detail: string) =>
    out.rejections.push({ reason, detail, index: s.index, meterId: s.meterId, record: s.record });
  for (const s of decoded.samples) {
    const ctx = archive.get(s.meterId);
    if (!concentratorKnown) {
      reject(s, 'unknown_concentrator', `concentrator ${concentratorId} is not in the archive`);
    } else if (!ctx) {
      reject(s, 'unknown_meter', `meter ${s.meterId} is not in the archive`);
    } else if (concentratorId !== undefined && !archive.isBehind(s.meterId, concentratorId)) {
      reject(s, 'not_behind_concentrator', `meter ${s.meterId} is not registered behind concentrator ${concentratorId}`);
    } else {
      const phase = wiringMismatch(s.kind, s.record, ctx.meter.wiring);
      if (phase) reject(s, 'wiring_mismatch', `meter ${s.meterId} is ${ctx.meter.wiring}: it has no phase ${phase}`);
      else out.samples.push(normalise(s.kind, s.meterId, s.tsMs, s.record, ctx.meter));
    }
  }
  return out;
}
