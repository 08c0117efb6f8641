import { describe, expect, it } from 'vitest';
import { decodeMessage, decodeStatus } from './decode.js';

const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const limits = { nowMs: NOW, maxFutureSkewMs: 300_000 };
const meter = (kind: 'voltage' | 'current' | 'load' | 'reading') => ({ type: 'meter' as const, meterId: 'M1', kind });
const conc = (kind: 'voltage' | 'current' | 'load' | 'reading') => ({ type: 'concentrator' as const, concentratorId: 'C1', kind });
const decode = (topic: Parameters<typeof decodeMessage>[0], payload: string | Buffer) =>
  decodeMessage(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), limits);

describe('decodeMessage: accepted', () => {
  it.each([
    ['ISO with offset', meter('voltage'), '{"ts":"2026-11-25T09:45:00+08:00","a":229.8,"b":231.2,"c":230.4}', Date.parse('2026-11-25T01:45:00Z')],
    ['ISO with compact offset', meter('voltage'), '{"ts":"2026-11-25T09:45:00+0800","a":229.8}', Date.parse('2026-11-25T01:45:00Z')],
    ['ISO in UTC', meter('current'), '{"ts":"2026-11-25T01:45:00Z","a":1.2,"c":1.3}', Date.parse('2026-11-25T01:45:00Z')],
    ['epoch ms', meter('load'), `{"ts":${NOW - 900_000},"p":12.4,"q":3.1,"pf":0.97}`, NOW - 900_000],
    ['null value', meter('load'), `{"ts":${NOW},"p":null}`, NOW],
    ['reading with tariffs', meter('reading'), `{"ts":${NOW},"total":10.5,"sharp":1,"peak":2,"flat":3,"valley":4.5,"reverse":0}`, NOW],
    ['4 minutes ahead (inside the skew)', meter('load'), `{"ts":${NOW + 240_000},"p":1}`, NOW + 240_000],
  ])('%s', (_name, topic, payload, tsMs) => {
    const out = decode(topic, payload);
    expect(out.rejections).toEqual([]);
    expect(out.samples).toHaveLength(1);
    expect(out.samples[0]).toMatchObject({ meterId: 'M1', tsMs });
  });

  it('takes an array of samples for one meter', () => {
    const out = decode(meter('load'), `[{"ts":${NOW - 900_000},"p":1},{"ts":${NOW},"p":2}]`);
    expect(out.samples.map((s) => s.record.p)).toEqual([1, 2]);
  });

  it('keeps good records of a concentrator batch beside bad ones', () => {
    const out = decode(conc('load'), JSON.stringify({ records: [{ meter: 'A', ts: NOW, p: 1 }, { meter: 'B', ts: NOW, p: 'x' }, { meter: 'C', ts: NOW, p: 3 }] }));
    expect(out.samples.map((s) => s.meterId)).toEqual(['A', 'C']);
    expect(out.rejections).toMatchObject([{ reason: 'schema', index: 1, meterId: 'B' }]);
  });
});

describe('decodeMessage: quarantined', () => {
  it.each([
    ['not JSON', meter('load'), '{"ts":', 'bad_json', null],
    ['not UTF-8', meter('load'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'bad_json', null],
    ['empty payload', meter('load'), '', 'bad_json', null],
    ['empty array', meter('load'), '[]', 'schema', null],
    ['a string', meter('load'), '"hello"', 'schema', 0],
    ['missing ts', meter('load'), '{"p":1}', 'schema', 0],
    ['missing required p', meter('load'), `{"ts":${NOW}}`, 'schema', 0],
    ['unknown field', meter('voltage'), `{"ts":${NOW},"a":230,"ua":230}`, 'schema', 0],
    ['string value', meter('voltage'), `{"ts":${NOW},"a":"230"}`, 'schema', 0],
    ['negative voltage', meter('voltage'), `{"ts":${NOW},"a":-1}`, 'schema', 0],
    ['pf above 1', meter('load'), `{"ts":${NOW},"p":1,"pf":1.2}`, 'schema', 0],
    ['overflowing number', meter('load'), `{"ts":${NOW},"p":1e999}`, 'non_finite', 0],
    ['fractional epoch', meter('load'), `{"ts":${NOW}.5,"p":1}`, 'schema', 0],
    ['ISO without offset', meter('load'), '{"ts":"2026-11-25T09:45:00","p":1}', 'bad_timestamp', 0],
    ['a date only', meter('load'), '{"ts":"2026-11-25","p":1}', 'bad_timestamp', 0],
    ['impossible date', meter('load'), '{"ts":"2026-13-45T09:45:00+08:00","p":1}', 'bad_timestamp', 0],
    ['epoch beyond the Date range', meter('load'), '{"ts":1e300,"p":1}', 'bad_timestamp', 0],
    ['epoch seconds (1970)', meter('load'), `{"ts":${Math.floor(NOW / 1000)},"p":1}`, 'ts_too_old', 0],
    ['before 2000', meter('load'), '{"ts":"1999-12-31T23:59:59Z","p":1}', 'ts_too_old', 0],
    ['6 minutes ahead', meter('load'), `{"ts":${NOW + 360_000},"p":1}`, 'ts_in_future', 0],
    ['records missing', conc('load'), '{"data":[]}', 'schema', null],
    ['records empty', conc('load'), '{"records":[]}', 'schema', null],
    ['record without meter', conc('load'), `{"records":[{"ts":${NOW},"p":1}]}`, 'schema', 0],
    ['same meter and ts twice', conc('load'), `{"records":[{"meter":"A","ts":${NOW},"p":1},{"meter":"A","ts":${NOW},"p":2}]}`, 'duplicate_in_message', 1],
  ])('%s', (_name, topic, payload, reason, index) => {
    const out = decode(topic, payload);
    expect(out.rejections[0]).toMatchObject({ reason, index });
    expect(out.rejections[0].detail.length).toBeGreaterThan(5);
  });
});

describe('decodeStatus', () => {
  it.each([
    ['online', 'online'],
    [' offline\n', 'offline'],
    ['{"status":"online"}', 'online'],
    ['ONLINE', undefined],
    ['{"status":1}', undefined],
    ['{bad', undefined],
  ])('%j', (payload, expected) => {
    expect(decodeStatus(Buffer.from(payload))).toBe(expected);
  });
});
