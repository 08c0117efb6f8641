import { describe, expect, it } from 'vitest';
import type { DevicePrincipal } from '../access/device.js';
import { decidePublish, decideSubscribe, filterCovers, type SessionPrincipal } from './topic-acl.js';

const meter: DevicePrincipal = { deviceId: 'M1', kind: 'meter', filters: [], version: '1' };
const conc: DevicePrincipal = { deviceId: 'C1', kind: 'concentrator', filters: [], version: '1' };
const sub: DevicePrincipal = { deviceId: 'S1', kind: 'subscriber', filters: ['alarms/residential/#', 'alarms/+/CUST9/#'], version: '1' };
const who: Record<string, SessionPrincipal> = { meter, conc, sub, anon: 'anonymous' };
const deep = Array.from({ length: 101 }, (_, i) => `l${i}`).join('/');

describe('decidePublish', () => {
  it.each([
    ['meter', 'meters/M1/load', true],
    ['meter', 'meters/M1/cmd/x', true],
    ['meter', 'meters/M2/load', 'not_permitted'],
    ['meter', 'meters/M1', 'not_permitted'],
    ['meter', 'concentrators/M1/batch', 'not_permitted'],
    ['meter', 'meters/+/load', 'wildcard'],
    ['meter', 'meters/M1/#', 'wildcard'],
    ['meter', 'alarms/residential/C/M1', 'reserved'],
    ['meter', '$SYS/broker/x', 'reserved'],
    ['meter', '', 'empty'],
    ['meter', 'meters/M1/lo\uFFFDad', 'invalid_utf8'],
    ['meter', 'meters/M1/\u0000', 'invalid_utf8'],
    ['meter', deep, 'too_deep'],
    ['conc', 'concentrators/C1/batch', true],
    ['conc', 'concentrators/C2/batch', 'not_permitted'],
    ['conc', 'meters/M1/load', 'not_permitted'],
    ['sub', 'meters/S1/load', 'not_permitted'],
    ['sub', 'alarms/residential/C/M1', 'reserved'],
    ['anon', 'meters/ANY/load', true],
    ['anon', 'concentrators/ANY/batch', true],
    ['anon', 'meters//load', 'not_permitted'],
    ['anon', 'other/x/y', 'not_permitted'],
    ['anon', 'alarms/x/y', 'reserved'],
  ])('%s publishing to %j: %s', (name, topic, expected) => {
    const verdict = decidePublish(who[name]!, topic, 16);
    expect(verdict).toEqual(expected === true ? { ok: true } : { ok: false, reason: expected });
  });
});

describe('filterCovers', () => {
  it.each([
    ['alarms/a/#', 'alarms/a/#', true],
    ['alarms/a/#', 'alarms/a', true],
    ['alarms/a/#', 'alarms/a/b/+', true],
    ['alarms/a/#', 'alarms/#', false],
    ['alarms/a/#', 'alarms/+/b', false],
    ['alarms/+/b', 'alarms/x/b', true],
    ['alarms/+/b', 'alarms/+/b', true],
    ['alarms/+/b', 'alarms/#', false],
    ['alarms/+/b', 'alarms/x/b/c', false],
    ['alarms/a', 'alarms/a', true],
    ['alarms/a', 'alarms/a/b', false],
  ])('%s covers %s: %s', (granted, wanted, expected) => {
    expect(filterCovers(granted, wanted)).toBe(expected);
  });
});

describe('decideSubscribe', () => {
  it.each([
    ['meter', 'meters/M1/cmd/#', true],
    ['meter', 'meters/M1/cmd/reboot', true],
    ['meter', 'meters/M2/cmd/#', 'not_permitted'],
    ['meter', 'meters/+/cmd/#', 'not_permitted'],
    ['meter', '#', 'not_permitted'],
    ['meter', '$SYS/#', 'reserved'],
    ['conc', 'concentrators/C1/cmd/#', true],
    ['conc', 'meters/M1/cmd/#', 'not_permitted'],
    ['sub', 'alarms/residential/#', true],
    ['sub', 'alarms/residential/CUST1/M1', true],
    ['sub', 'alarms/industrial/CUST9/M7', true],
    ['sub', 'alarms/industrial/#', 'not_permitted'],
    ['sub', 'alarms/#', 'not_permitted'],
    ['sub', '#', 'not_permitted'],
    ['anon', 'alarms/#', true],
    ['anon', '#', 'not_permitted'],
    ['anon', 'meters/#', 'not_permitted'],
    ['anon', '+/x', 'not_permitted'],
    ['anon', 'alarms/\uFFFD', 'invalid_utf8'],
    ['anon', deep, 'too_deep'],
  ])('%s subscribing to %j: %s', (name, filter, expected) => {
    const verdict = decideSubscribe(who[name]!, filter, 16);
    expect(verdict).toEqual(expected === true ? { ok: true } : { ok: false, reason: expected });
  });
});
