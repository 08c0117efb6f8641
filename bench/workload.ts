/** The bench's deterministic data: a simulated fleet, its archive, and message templates whose ts is patched per step. */
import { archiveCsv } from '../simulators/archive-csv.js';
import { createFleet, type Fleet } from '../simulators/fleet.js';
import { CurveGenerator } from '../simulators/curves.js';

export const QUARTER_MS = 15 * 60_000;
/** A 13-digit epoch-ms placeholder the load generator overwrites with each step's ts (same width, so offsets hold). */
export const TS_PLACEHOLDER = '1999999999999';
export const PROBE_CONCENTRATOR = 'BENCHPROBE';
export const PROBE_CUSTOMER = 'BENCHKEY';

export interface Template {
  topic: string;
  /** JSON with every ts equal to TS_PLACEHOLDER. */
  payload: string;
  samples: number;
}

/** One device connection and the messages it cycles through; each full cycle is one 15-minute step. */
export interface Sender {
  clientId: string;
  templates: Template[];
}

export interface Workload {
  fleet: Fleet;
  archiveCsv: string;
  probeMeters: string[];
}

/** The curve kinds the simulated devices send, one message (or sample) per kind and step. */
export const KINDS = ['voltage', 'current', 'load'] as const;

export function buildWorkload(meters: number, seed: number, probeMeters: number): Workload {
  const fleet = createFleet({ meters, concentrators: Math.ceil(meters / 100), seed });
  // Exactly 100 meters behind each concentrator, so every batched message carries 100 samples.
  for (const m of fleet.meters) m.concentratorId = fleet.concentrators[Math.floor(m.index / 100)].id;
  const probes = Array.from({ length: probeMeters }, (_, i) => `BP${String(i).padStart(6, '0')}`);
  // A KEY customer of our own: 3P4W 380 V primary-side meters, so 251.3 V on phase A is a V1 over-voltage (domain.md 3.2).
  const probeRows = probes.map((id) =>
    [PROBE_CUSTOMER, 'Bench probe', 'KEY', 'Bench Rd 1', '', 'bench', 1000, 0.9, 30.27, 120.16, id, PROBE_CONCENTRATOR, '3P4W', 380, 100, 1, 1, 'primary'].join(','),
  );
  return { fleet, archiveCsv: archiveCsv(fleet) + probeRows.join('\n') + '\n', probeMeters: probes };
}

/** Concentrators publishing one message per kind for up to 100 meters each (real simulator values for one step). */
export function batchedSenders(fleet: Fleet): Sender[] {
  const step = new CurveGenerator(fleet).step(Date.UTC(2025, 5, 3, 2, 0));
  const byConcentrator = new Map<string, number[]>();
  for (const m of fleet.meters) {
    if (!m.concentratorId) continue;
    const list = byConcentrator.get(m.concentratorId) ?? [];
    list.push(m.index);
    byConcentrator.set(m.concentratorId, list);
  }
  return [...byConcentrator].map(([id, indices]) => {
    const templates: Template[] = [];
    for (let i = 0; i < indices.length; i += 100) {
      const chunk = indices.slice(i, i + 100);
      for (const kind of KINDS) {
        const records = chunk.map((k) => ({ ...step[kind][k], ts: 0 }));
        templates.push({ topic: `concentrators/${id}/${kind}`, payload: withPlaceholder({ records }), samples: records.length });
      }
    }
    return { clientId: id, templates };
  });
}

/** Meters publishing one sample per message on meters/{id}/{kind}, cycling voltage, current and load. */
export function singleSenders(fleet: Fleet, count: number): Sender[] {
  const step = new CurveGenerator(fleet).step(Date.UTC(2025, 5, 3, 2, 0));
  return fleet.meters.slice(0, count).map((m) => ({
    clientId: m.id,
    templates: KINDS.map((kind) => {
      const { meter: _meter, ...sample } = step[kind][m.index];
      return { topic: `meters/${m.id}/${kind}`, payload: withPlaceholder({ ...sample, ts: 0 }), samples: 1 };
    }),
  }));
}

function withPlaceholder(value: unknown): string {
  return JSON.stringify(value).replaceAll('"ts":0', `"ts":${TS_PLACEHOLDER}`);
}

/** Rows of telemetry_load for the query scenario as COPY text: meters × days × 96 quarter-hours. */
export function* loadCopyRows(meterIds: readonly string[], firstDayMs: number, days: number): Generator<string> {
  for (let d = 0; d < days; d++) {
    for (let m = 0; m < meterIds.length; m++) {
      const lines: string[] = new Array(96);
      for (let q = 0; q < 96; q++) {
        const ts = new Date(firstDayMs + d * 86_400_000 + q * QUARTER_MS).toISOString();
        const p = 10 + ((m * 7 + q * 13 + d) % 97);
        lines[q] = `${meterIds[m]}\t${ts}\t${p}\t${(p * 0.3).toFixed(2)}\t0.95\t1`;
      }
      yield lines.join('\n') + '\n';
    }
  }
}
