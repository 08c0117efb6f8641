import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import type { Kind } from '../domain/sample.js';

/**
 * Device payloads of protocol v1 (docs/protocol.md), one schema per kind. The same definitions
 * validate messages at run time and are written out as JSON Schema into docs/schemas/.
 */
const Ts = Type.Union(
  [
    Type.String({ description: 'ISO-8601 instant with an offset, e.g. 2026-11-25T10:15:00+08:00' }),
    Type.Integer({ description: 'epoch milliseconds' }),
  ],
  { description: 'sample time; for readings the freeze instant (00:00 local)' },
);

const nullable = (description: string, limits: { minimum?: number; maximum?: number } = {}) =>
  Type.Union([Type.Number(limits), Type.Null()], { description: `${description}; null = unreadable` });

const volts = (phase: string) => nullable(`${phase} voltage, V`, { minimum: 0 });
const amps = (phase: string) => nullable(`${phase} current, A`, { minimum: 0 });
const kwh = (register: string) => nullable(`${register} register, kWh`, { minimum: 0 });

const sampleProperties: { [K in Kind]: TProperties } = {
  voltage: {
    ts: Ts,
    a: Type.Optional(volts('phase A (three-wire: Uab)')),
    b: Type.Optional(volts('phase B (absent on three-wire and single-phase meters)')),
    c: Type.Optional(volts('phase C (three-wire: Ucb)')),
  },
  current: {
    ts: Ts,
    a: Type.Optional(amps('phase A')),
    b: Type.Optional(amps('phase B (absent on three-wire and single-phase meters)')),
    c: Type.Optional(amps('phase C')),
  },
  load: {
    ts: Ts,
    p: nullable('active power, kW (negative = reverse flow)'),
    q: Type.Optional(nullable('reactive power, kvar')),
    pf: Type.Optional(nullable('power factor', { minimum: -1, maximum: 1 })),
  },
  reading: {
    ts: Ts,
    total: kwh('forward active total'),
    sharp: Type.Optional(kwh('critical-peak (尖) tariff')),
    peak: Type.Optional(kwh('peak (峰) tariff')),
    flat: Type.Optional(kwh('flat (平) tariff')),
    valley: Type.Optional(kwh('valley (谷) tariff')),
    reverse: Type.Optional(kwh('reverse active total')),
  },
};

export function sampleSchema(kind: Kind): TObject {
  return Type.Object(sampleProperties[kind], { additionalProperties: false, $id: `loadwatch/${kind}-sample` });
}

export function concentratorRecordSchema(kind: Kind): TObject {
  return Type.Object(
    { meter: Type.String({ description: 'meter id', pattern: '^[A-Za-z0-9._-]{1,64}$' }), ...sampleProperties[kind] },
    { additionalProperties: false, $id: `loadwatch/${kind}-record` },
  );
}

/** Everything a JSON Schema file per kind documents: meter topic payload and concentrator payload. */
export function payloadSchemas(kind: Kind) {
  const sample = sampleSchema(kind);
  return {
    meter: Type.Union([sample, Type.Array(sample, { minItems: 1 })], {
      title: `meters/{meterId}/${kind}`,
      description: 'one sample, or an array of samples',
    }),
    concentrator: Type.Object(
      { records: Type.Array(concentratorRecordSchema(kind), { minItems: 1 }) },
      { title: `concentrators/{concentratorId}/${kind}`, additionalProperties: false },
    ),
  };
}
