import { describe, expect, it } from 'vitest';
import { applyChanges, isCurrentIn, isNewer, nextSince, principalOf, type Cached } from './credential-cache.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const row = (over: Partial<Cached> = {}): Cached => ({
  deviceId: 'M1', kind: 'meter', secretHash: 'h1', filters: [], version: 1, revokedAt: null, updatedAt: at(0), ...over,
});

describe('credential cache', () => {
  it.each<[string, Cached, Cached | undefined, boolean]>([
    ['first sight', row(), undefined, true],
    ['a rotation', row({ version: 2, updatedAt: at(5) }), row(), true],
    ['the same row re-read', row(), row(), false],
    ['a revocation of the same version', row({ revokedAt: at(5), updatedAt: at(5) }), row(), true],
    ['an older version read late', row({ version: 1, updatedAt: at(9) }), row({ version: 2, updatedAt: at(5) }), false],
    ['a re-issue after revocation', row({ version: 2, updatedAt: at(9) }), row({ revokedAt: at(5), updatedAt: at(5) }), true],
  ])('%s: newer = %s', (_name, incoming, cached, expected) => {
    expect(isNewer(incoming, cached)).toBe(expected);
  });

  it('applies only newer rows and reports which ids changed', () => {
    const cache = new Map<string, Cached>([['M1', row({ version: 2, updatedAt: at(5) })]]);
    const changed = applyChanges(cache, [row({ version: 1, updatedAt: at(9) }), row({ deviceId: 'T1', kind: 'concentrator' }), row({ version: 2, updatedAt: at(5) })]);
    expect(changed).toEqual(['T1']);
    expect(cache.get('M1')!.version).toBe(2);
  });

  const current = row({ version: 3 });
  it.each<[string, Cached | undefined, boolean]>([
    ['unchanged', current, true],
    ['rotated', row({ version: 4 }), false],
    ['revoked', row({ version: 3, revokedAt: at(1) }), false],
    ['gone from the cache', undefined, false],
    ['re-issued as another kind', row({ version: 3, kind: 'concentrator' }), false],
  ])('a session on version 3 when the credential is %s: current = %s', (_name, cached, expected) => {
    const cache = new Map<string, Cached>(cached ? [['M1', cached]] : []);
    expect(isCurrentIn(cache, principalOf(current))).toBe(expected);
  });

  it('gives a principal without the hash', () => {
    expect(principalOf(row({ kind: 'subscriber', filters: ['alarms/#'], version: 7 }))).toEqual({ deviceId: 'M1', kind: 'subscriber', filters: ['alarms/#'], version: '7' });
  });

  it.each<[string, Date | undefined, Date | undefined, Date | undefined]>([
    ['nothing seen yet', undefined, undefined, undefined],
    ['the first rows', undefined, at(100), at(40)],
    ['no rows this time', at(40), undefined, at(40)],
    ['newer rows', at(40), at(130), at(70)],
    ['never backwards', at(40), at(90), at(40)],
  ])('next refresh reads from: %s', (_name, previous, newest, expected) => {
    expect(nextSince(previous, newest, 60_000)).toEqual(expected);
  });
});
