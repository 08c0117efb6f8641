import { describe, expect, it } from 'vitest';
import type { CustomerClass } from '../../domain/customer-class.js';
import { DEFAULT_SETTINGS } from '../settings-defaults.js';
import { completenessPct, completenessVerdict, freezeMissingTier } from './tiers.js';

describe('C1 freeze missing: default ladders of domain.md 3.2', () => {
  it.each<[CustomerClass, number, string | undefined]>([
    ['KEY', 0, undefined],
    ['KEY', 1, 'WARNING'],
    ['KEY', 2, 'MAJOR'],
    ['KEY', 9, 'MAJOR'],
    ['TOP100', 1, 'WARNING'],
    ['TOP100', 2, 'MAJOR'],
    ['DH_KEY', 1, 'WARNING'],
    ['DH_KEY', 2, 'WARNING'],
    ['DH_GROWTH', 3, 'MINOR'],
    ['DEDICATED', 2, undefined],
    ['DEDICATED', 3, 'MINOR'],
    ['LV_NONRES', 2, undefined],
    ['LV_NONRES', 3, 'INDETERMINATE'],
    ['RESIDENTIAL', 1, undefined],
    ['RESIDENTIAL', 3, 'INDETERMINATE'],
    ['RESIDENTIAL', 6, 'INDETERMINATE'],
    ['RESIDENTIAL', 7, 'MINOR'],
  ])('%s, %i missing days → %s', (cls, days, severity) => {
    expect(freezeMissingTier(days, DEFAULT_SETTINGS[cls].C1)?.severity).toBe(severity);
  });

  it('raises nothing when the rule is disabled', () => {
    expect(freezeMissingTier(5, { ...DEFAULT_SETTINGS.KEY.C1, enabled: false })).toBeUndefined();
  });
});

describe('C2 curve completeness', () => {
  it.each<[CustomerClass, number, string]>([
    ['KEY', 100, 'recovered'],
    ['KEY', 90, 'hold'],
    ['KEY', 90.9, 'recovered'],
    ['KEY', 89.9, 'violating'],
    ['TOP100', 0, 'violating'],
    ['DEDICATED', 86.5, 'violating'],
    ['DH_GROWTH', 95, 'recovered'],
    // Residential curves are optional (domain.md 3.2: C2 not applied).
    ['RESIDENTIAL', 0, 'recovered'],
    ['LV_NONRES', 10, 'recovered'],
  ])('%s at %f %% → %s', (cls, pct, kind) => {
    const verdict = completenessVerdict(pct, DEFAULT_SETTINGS[cls].C2);
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'violating') expect([verdict.tier.severity, verdict.limitPct]).toEqual(['WARNING', 90]);
  });

  it.each([[96, 96, 100], [86, 96, 89.58], [87, 96, 90.63], [0, 96, 0], [100, 96, 100]])('%i of %i points = %f %%', (points, expected, pct) => {
    expect(completenessPct(points, expected)).toBeCloseTo(pct, 2);
  });
});
