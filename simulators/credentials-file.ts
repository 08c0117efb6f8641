/**
 * Device secrets for `npm run simulate -- --credentials FILE`: the JSON answer of
 * `POST /api/archive/import?credentials=issue` as saved ({"credentials": [{"deviceId", "secret"}, ...]}),
 * a bare array of those, an object {deviceId: secret}, or CSV lines `deviceId,secret` (an optional header).
 */
export type CredentialsFile = { ok: true; credentials: Map<string, string> } | { ok: false; error: string };

interface Entry {
  deviceId?: unknown;
  secret?: unknown;
}

export function parseCredentialsFile(text: string): CredentialsFile {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return fromJson(trimmed);
  return fromCsv(trimmed);
}

function fromJson(text: string): CredentialsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  const list = Array.isArray(value) ? value : (value as { credentials?: unknown }).credentials;
  if (Array.isArray(list)) return collect(list.map((e: Entry, i) => [e?.deviceId, e?.secret, `entry ${i + 1}`]));
  return collect(Object.entries(value as Record<string, unknown>).map(([id, secret]) => [id, secret, `key ${JSON.stringify(id)}`]));
}

function fromCsv(text: string): CredentialsFile {
  const lines = text.split(/\r?\n/).map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l !== '');
  if (lines.length > 0 && /^device_?id\s*,\s*secret$/i.test(lines[0][0])) lines.shift();
  return collect(lines.map(([line, n]) => {
    const parts = line.split(',').map((p) => p.trim());
    return parts.length === 2 ? [parts[0], parts[1], `line ${n}`] : [undefined, undefined, `line ${n}`];
  }));
}

function collect(entries: [unknown, unknown, string][]): CredentialsFile {
  const credentials = new Map<string, string>();
  for (const [id, secret, where] of entries) {
    if (typeof id !== 'string' || id === '' || typeof secret !== 'string' || secret === '') return { ok: false, error: `${where}: expected a device id and a secret` };
    if (credentials.has(id)) return { ok: false, error: `${where}: ${id} appears twice` };
    credentials.set(id, secret);
  }
  return { ok: true, credentials };
}
