/**
 * Writes docs/schemas/{kind}.schema.json from the TypeBox definitions the service validates with
 * (src/ingest/payload-schema.ts), so integrators read exactly what the broker enforces.
 *   node --import tsx scripts/write-schemas.ts
 * src/ingest/payload-schema.test.ts fails when the committed files differ from what this writes.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KINDS, type Kind } from '../src/domain/sample.js';
import { payloadSchemas } from '../src/ingest/payload-schema.js';

export const SCHEMAS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'schemas');
export const REGENERATE_COMMAND = 'node --import tsx scripts/write-schemas.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

export const schemaId = (kind: Kind) => `urn:loadwatch:protocol-v1:${kind}`;
export const schemaFileName = (kind: Kind) => `${kind}.schema.json`;

/** Descriptions of the document's own structure; field descriptions come from the TypeBox definitions. */
const DEF_DESCRIPTIONS: Record<string, (kind: Kind) => string> = {
  sample: (kind) => `one ${kind} sample as a meter sends it`,
  record: (kind) => `one ${kind} sample of the meter named in "meter", inside a concentrator payload`,
  meterPayload: (kind) => `payload of the topic meters/{meterId}/${kind}: one sample, or an array of at least one`,
  concentratorPayload: (kind) => `payload of the topic concentrators/{concentratorId}/${kind}: the meters' samples under "records"`,
};

/** One JSON Schema 2020-12 document for a kind: either payload form validates; $defs name each form for use by topic. */
export function jsonSchemaFor(kind: Kind): JsonObject {
  const forms = JSON.parse(JSON.stringify(payloadSchemas(kind))) as { meter: JsonObject; concentrator: JsonObject };
  const defs: JsonObject = {};
  // TypeBox repeats the sample/record object wherever it is used, each carrying $id "loadwatch/{kind}-{name}":
  // keep one copy under $defs and point to it, so each definition is written (and read) once.
  const hoist = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(hoist);
    if (node === null || typeof node !== 'object') return node;
    const { $id, ...rest } = node;
    const body = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, hoist(v)]));
    if (typeof $id !== 'string') return body;
    const name = $id.slice(`loadwatch/${kind}-`.length);
    defs[name] = describe(body, DEF_DESCRIPTIONS[name]?.(kind));
    return { $ref: `#/$defs/${name}` };
  };
  defs.meterPayload = describe(hoist(forms.meter) as JsonObject, DEF_DESCRIPTIONS.meterPayload(kind));
  defs.concentratorPayload = describe(hoist(forms.concentrator) as JsonObject, DEF_DESCRIPTIONS.concentratorPayload(kind));

  return {
    $schema: DRAFT_2020_12,
    $id: schemaId(kind),
    title: `loadwatch ${kind} payload (device protocol v1)`,
    description:
      `A ${kind} message published to meters/{meterId}/${kind} (see $defs/meterPayload) or ` +
      `concentrators/{concentratorId}/${kind} (see $defs/concentratorPayload); docs/protocol.md describes both. ` +
      'Generated from src/ingest/payload-schema.ts. Passing this schema is necessary, not sufficient: the service ' +
      'also quarantines a ts that is not an ISO-8601 instant with offset nor epoch milliseconds, lies before ' +
      '2000-01-01 or too far in the future, a number that overflows to Infinity, an unknown meter, and a meter ' +
      'and ts repeated within one message.',
    oneOf: [{ $ref: '#/$defs/meterPayload' }, { $ref: '#/$defs/concentratorPayload' }],
    $defs: orderDefs(defs),
  };
}

/** What the script writes: file name -> exact text. */
export function renderSchemaFiles(): Map<string, string> {
  return new Map(KINDS.map((kind) => [schemaFileName(kind), `${JSON.stringify(jsonSchemaFor(kind), null, 2)}\n`]));
}

function describe(schema: JsonObject, description: string | undefined): JsonObject {
  if (description === undefined || schema.description !== undefined) return schema;
  const { title, ...rest } = schema;
  return title === undefined ? { description, ...rest } : { title, description, ...rest };
}

/** The forms first, then what they refer to: the order a reader follows. */
function orderDefs(defs: JsonObject): JsonObject {
  const order = ['meterPayload', 'concentratorPayload', 'sample', 'record'];
  return Object.fromEntries(Object.keys(defs).sort((a, b) => rank(order, a) - rank(order, b)).map((k) => [k, defs[k]]));
}

function rank(order: string[], key: string): number {
  const i = order.indexOf(key);
  return i === -1 ? order.length : i;
}

async function writeSchemaFiles(): Promise<void> {
  await mkdir(SCHEMAS_DIR, { recursive: true });
  const files = renderSchemaFiles();
  // A kind that no longer exists must not leave its file behind.
  for (const stale of (await readdir(SCHEMAS_DIR)).filter((f) => f.endsWith('.schema.json') && !files.has(f))) {
    await rm(join(SCHEMAS_DIR, stale));
  }
  for (const [name, text] of files) await writeFile(join(SCHEMAS_DIR, name), text);
  process.stdout.write(`wrote ${[...files.keys()].map((f) => `docs/schemas/${f}`).join(', ')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await writeSchemaFiles();
}
