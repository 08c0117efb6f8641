import { describe, expect, it } from 'vitest';
import { parseCredentialsFile } from './credentials-file.js';

describe('credentials file', () => {
  it.each([
    ['the import answer', '{"imported": {"meters": 2}, "credentials": [{"deviceId": "T1", "kind": "concentrator", "secret": "s1"}, {"deviceId": "M9", "secret": "s2"}]}'],
    ['a bare array', '[{"deviceId": "T1", "secret": "s1"}, {"deviceId": "M9", "secret": "s2"}]'],
    ['an object', '{"T1": "s1", "M9": "s2"}'],
    ['CSV with a header', 'deviceId,secret\nT1,s1\r\nM9,s2\n'],
    ['CSV with device_id and blank lines', 'device_id, secret\n\n T1 , s1 \nM9,s2'],
    ['CSV without a header', 'T1,s1\nM9,s2'],
  ])('reads %s', (_name, text) => {
    const parsed = parseCredentialsFile(text);
    expect(parsed.ok && [...parsed.credentials]).toEqual([['T1', 's1'], ['M9', 's2']]);
  });

  it.each([
    ['broken JSON', '{"T1": ', 'not valid JSON'],
    ['a secret that is not a string', '{"T1": 5}', 'key "T1"'],
    ['an entry without a secret', '[{"deviceId": "T1"}]', 'entry 1'],
    ['a CSV line with three fields', 'T1,s1\nM9,s2,x', 'line 2'],
    ['a CSV line without a secret', 'T1,', 'line 1'],
    ['a device twice', 'T1,s1\nT1,s2', 'T1 appears twice'],
  ])('refuses %s', (_name, text, error) => {
    const parsed = parseCredentialsFile(text);
    expect(parsed.ok ? '' : parsed.error).toContain(error);
  });
});
