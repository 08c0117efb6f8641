import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { KINDS, type Kind } from '../domain/sample.js';
import { REGENERATE_COMMAND, SCHEMAS_DIR, renderSchemaFiles, schemaFileName, schemaId } from '../../scripts/write-schemas.js';
import { decodeMessage, type QuarantineReason } from './decode.js';
import { parseTopic } from './topic.js';

type Form = 'meterPayload' | 'concentratorPayload';

const PROTOCOL_MD = resolve(SCHEMAS_DIR, '..', 'protocol.md');
const NOW = Date.parse('2026-12-01T00:00:00+08:00');
const TS = '2026-11-25T10:15:00+08:00';
const EPOCH = Date.parse(TS);

// The committed files, not freshly generated ones: integrators read those.
const ajv = new Ajv2020({ strict: true, allErrors: true });
for (const kind of KINDS) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, schemaFileName(kind)), 'utf8')));

function schemaAccepts(kind: Kind, form: Form | 'any', payload: unknown): boolean {
  const validate = ajv.getSchema(form === 'any' ? schemaId(kind) : `${schemaId(kind)}#/$defs/${form}`);
  if (!validate) throw new Error(`no schema for ${kind} ${form}`);
  return validate(payload) as boolean;
}

/** What the service's own decoder says about the payload on that topic. */
function serviceReasons(kind: Kind, form: Form, payload: unknown): QuarantineReason[] {
  const topic = form === 'meterPayload' ? { type: 'meter' as const, meterId: 'M1', kind } : { type: 'concentrator' as const, concentratorId: 'C1', kind };
  const decoded = decodeMessage(topic, Buffer.from(JSON.stringify(payload)), { nowMs: NOW, maxFutureSkewMs: 300_000 });
  return decoded.rejections.map((r) => r.reason);
}

describe('docs/schemas', () => {
  it('are what scripts/write-schemas.ts writes now', () => {
    const expected = renderSchemaFiles();
    const committed = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).sort();
    expect(committed, `docs/schemas has other files than the script writes; regenerate with: ${REGENERATE_COMMAND}`).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) {
      expect(readFileSync(join(SCHEMAS_DIR, name), 'utf8'), `docs/schemas/${name} is stale; regenerate with: ${REGENERATE_COMMAND}`).toBe(text);
    }
  });

  it.each(KINDS)('%s.schema.json is a valid 2020-12 schema with both payload forms', (kind) => {
    const doc = JSON.parse(readFileSync(join(SCHEMAS_DIR, schemaFileName(kind)), 'utf8'));
    expect(ajv.validateSchema(doc), JSON.stringify(ajv.errors)).toBe(true);
    expect(doc).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: schemaId(kind), title: expect.stringContaining(kind) });
    expect(Object.keys(doc.$defs)).toEqual(['meterPayload', 'concentratorPayload', 'sample', 'record']);
    for (const def of Object.values(doc.$defs) as { description?: string }[]) expect(def.description).toBeTruthy();
  });
});

/** The ```json blocks of docs/protocol.md: each example is preceded by a `// <topic>` line. */
function protocolExamples(): { topic: string; payload: unknown }[] {
  const markdown = readFileSync(PROTOCOL_MD, 'utf8');
  const examples: { topic: string; text: string }[] = [];
  for (const block of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      const comment = /^\/\/\s*([^\s,]+)/.exec(line);
      if (comment) examples.push({ topic: comment[1], text: '' });
      else if (examples.length > 0) examples[examples.length - 1].text += `${line}\n`;
    }
  }
  return examples.map((e) => ({ topic: e.topic, payload: JSON.parse(e.text) }));
}

describe('docs/protocol.md examples', () => {
  const examples = protocolExamples();

  it('are found', () => {
    expect(examples.map((e) => e.topic)).toEqual(['meters/3101000123/voltage', 'meters/3101000123/load', 'concentrators/C0001/reading']);
  });

  it.each(examples)('$topic passes its schema and the service decodes it without rejection', ({ topic, payload }) => {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.type === 'status') throw new Error(`example topic ${topic} is not a data topic`);
    const form: Form = parsed.type === 'meter' ? 'meterPayload' : 'concentratorPayload';
    expect(schemaAccepts(parsed.kind, form, payload), JSON.stringify(ajv.errors)).toBe(true);
    expect(schemaAccepts(parsed.kind, 'any', payload)).toBe(true);
    expect(serviceReasons(parsed.kind, form, payload)).toEqual([]);
  });
});

const rec = (fields: Record<string, unknown>) => ({ records: [{ meter: 'M1', ts: TS, ...fields }] });

// Each row is judged twice: by the committed JSON Schema and by the service's decoder. They must agree.
const TABLE: [string, Kind, Form, unknown, boolean][] = [
  ['three-phase voltage', 'voltage', 'meterPayload', { ts: TS, a: 229.8, b: 231.2, c: 230.4 }, true],
  ['three-wire voltage (no b), epoch ts', 'voltage', 'meterPayload', { ts: EPOCH, a: 10_100, c: 10_050 }, true],
  ['single-phase voltage', 'voltage', 'meterPayload', { ts: TS, a: 221 }, true],
  ['unreadable phase is null', 'voltage', 'meterPayload', { ts: TS, a: null, b: 230, c: 231 }, true],
  ['array of samples', 'voltage', 'meterPayload', [{ ts: EPOCH, a: 230 }, { ts: EPOCH + 900_000, a: 231 }], true],
  ['zero current', 'current', 'meterPayload', { ts: TS, a: 0, c: 0 }, true],
  ['reverse power flow', 'load', 'meterPayload', { ts: TS, p: -3.5, q: 1.2, pf: -1 }, true],
  ['unreadable power', 'load', 'meterPayload', { ts: TS, p: null }, true],
  ['reading with all registers', 'reading', 'meterPayload', { ts: TS, total: 10, sharp: 1, peak: 2, flat: 3, valley: 4, reverse: 0 }, true],
  ['concentrator voltage', 'voltage', 'concentratorPayload', rec({ a: 230 }), true],
  ['concentrator meter id with . _ -', 'current', 'concentratorPayload', { records: [{ meter: 'M-1.a_b', ts: TS, a: 1 }] }, true],
  ['concentrator unreadable reading', 'reading', 'concentratorPayload', rec({ total: null }), true],

  ['no ts', 'voltage', 'meterPayload', { a: 230 }, false],
  ['negative voltage', 'voltage', 'meterPayload', { ts: TS, a: -1 }, false],
  ['voltage as a string', 'voltage', 'meterPayload', { ts: TS, a: '230' }, false],
  ['unknown field', 'voltage', 'meterPayload', { ts: TS, a: 230, d: 1 }, false],
  ['meter field on a meter topic', 'voltage', 'meterPayload', { meter: 'M1', ts: TS, a: 230 }, false],
  ['fractional epoch ms', 'voltage', 'meterPayload', { ts: EPOCH + 0.5, a: 230 }, false],
  ['ts as a boolean', 'voltage', 'meterPayload', { ts: true, a: 230 }, false],
  ['empty array', 'voltage', 'meterPayload', [], false],
  ['array with a null', 'voltage', 'meterPayload', [null], false],
  ['a bare number', 'voltage', 'meterPayload', 42, false],
  ['a concentrator payload on a meter topic', 'voltage', 'meterPayload', rec({ a: 230 }), false],
  ['negative current', 'current', 'meterPayload', { ts: TS, a: -0.1 }, false],
  ['load without p', 'load', 'meterPayload', { ts: TS, q: 1 }, false],
  ['power factor above 1', 'load', 'meterPayload', { ts: TS, p: 1, pf: 1.01 }, false],
  ['voltage fields on a load topic', 'load', 'meterPayload', { ts: TS, a: 230 }, false],
  ['reading without total', 'reading', 'meterPayload', { ts: TS, peak: 1 }, false],
  ['negative register', 'reading', 'meterPayload', { ts: TS, total: -1 }, false],
  ['no records', 'voltage', 'concentratorPayload', { records: [] }, false],
  ['records not an array', 'voltage', 'concentratorPayload', { records: { meter: 'M1', ts: TS } }, false],
  ['field beside records', 'voltage', 'concentratorPayload', { ...rec({ a: 230 }), concentrator: 'C1' }, false],
  ['bare array of records', 'voltage', 'concentratorPayload', rec({ a: 230 }).records, false],
  ['record without meter', 'voltage', 'concentratorPayload', { records: [{ ts: TS, a: 230 }] }, false],
  ['meter id with a space', 'voltage', 'concentratorPayload', { records: [{ meter: 'M 1', ts: TS, a: 230 }] }, false],
  ['meter id of 65 characters', 'voltage', 'concentratorPayload', { records: [{ meter: 'x'.repeat(65), ts: TS, a: 230 }] }, false],
  ['meter id as a number', 'voltage', 'concentratorPayload', { records: [{ meter: 3101000123, ts: TS, a: 230 }] }, false],
  ['one bad record among good ones', 'load', 'concentratorPayload', { records: [{ meter: 'A', ts: TS, p: 1 }, { meter: 'B', ts: TS, p: 'x' }] }, false],
];

describe('the schema and the service agree', () => {
  it.each(TABLE)('%s (%s, %s)', (_name, kind, form, payload, valid) => {
    expect(schemaAccepts(kind, form, payload), JSON.stringify(ajv.errors)).toBe(valid);
    // The whole document takes either form, so only a valid row says something about it.
    if (valid) expect(schemaAccepts(kind, 'any', payload)).toBe(true);
    const reasons = serviceReasons(kind, form, payload);
    if (valid) expect(reasons).toEqual([]);
    else expect(reasons).toContain('schema');
  });

  // The schema file says so in its description: these pass the shape check and are quarantined for the reason given.
  it.each<[string, unknown, QuarantineReason]>([
    ['ts without an offset', { ts: '2026-11-25T10:15:00', p: 1 }, 'bad_timestamp'],
    ['ts that is not a date', { ts: 'yesterday', p: 1 }, 'bad_timestamp'],
    ['ts before 2000', { ts: '1999-12-31T23:59:59Z', p: 1 }, 'ts_too_old'],
    ['ts a day ahead', { ts: NOW + 86_400_000, p: 1 }, 'ts_in_future'],
    ['same ts twice', [{ ts: TS, p: 1 }, { ts: EPOCH, p: 2 }], 'duplicate_in_message'],
  ])('%s: valid shape, quarantined as %s', (_name, payload, reason) => {
    expect(schemaAccepts('load', 'meterPayload', payload)).toBe(true);
    expect(serviceReasons('load', 'meterPayload', payload)).toEqual([reason]);
  });
});
