import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, effectiveSettings, RULES, validateRuleSettings, withOverride } from './settings.js';
import { CUSTOMER_CLASSES } from '../domain/customer-class.js';

describe('validateRuleSettings', () => {
  it.each(CUSTOMER_CLASSES.flatMap((c) => RULES.map((r) => [c, r] as const)))('default %s %s is valid', (c, r) => {
    expect(validateRuleSettings(r, DEFAULT_SETTINGS[c][r])).toEqual([]);
  });

  it.each([
    ['I1', { tiers: [{ severity: 'WARNING', sustainPoints: 4, thresholdPct: 30 }, { severity: 'MAJOR', sustainPoints: 4, thresholdPct: 25 }] }, 'tiers[1].thresholdPct must be above tiers[0].thresholdPct'],
    ['V3', { tiers: [{ severity: 'WARNING', sustainPoints: 1, thresholdPct: 95 }, { severity: 'MINOR', sustainPoints: 1, thresholdPct: 99 }] }, 'tiers[1].thresholdPct must be below tiers[0].thresholdPct'],
    ['O1', { tiers: [{ severity: 'WARNING', sustainPoints: 0, thresholdPct: 80 }] }, 'tiers[0].sustainPoints must be an integer of at least 1'],
    ['V2', { band: { upperPct: 80, lowerPct: 90 } }, 'band.upperPct must be above band.lowerPct'],
    ['O1', { recovery: { up: 1.2, down: 1.05 } }, 'recovery.up must be above 0 and at most 1'],
    ['O1', { tiers: [] }, 'tiers must not be empty when the rule is enabled'],
    ['P1', { tiers: [{ severity: 'MINOR', sustainPoints: 1, thresholdPct: 0, measure: 'weekly' }] }, 'tiers[0].measure must be one of daily, monthToDate'],
  ] as const)('%s %j', (rule, override, message) => {
    expect(validateRuleSettings(rule, withOverride(DEFAULT_SETTINGS.KEY[rule], override as never))).toContain(message);
  });
});

describe('withOverride and effectiveSettings', () => {
  it('override fields replace the class values, tiers as a whole, recovery per field', () => {
    const s = withOverride(DEFAULT_SETTINGS.KEY.O1, { clearPoints: 5, recovery: { up: 0.9, down: 1.05 }, tiers: [{ severity: 'MAJOR', sustainPoints: 1, thresholdPct: 90 }] });
    expect(s).toMatchObject({ clearPoints: 5, recovery: { up: 0.9 }, tiers: [{ severity: 'MAJOR', thresholdPct: 90 }], maxGapMs: DEFAULT_SETTINGS.KEY.O1.maxGapMs });
  });

  it('an override can enable a rule no class has, and disable one', () => {
    expect(effectiveSettings(['RESIDENTIAL'], 'V4', DEFAULT_SETTINGS, { enabled: true, tiers: [{ severity: 'MINOR', sustainPoints: 1, thresholdPct: 3 }] })?.tiers).toHaveLength(1);
    expect(effectiveSettings(['KEY'], 'V1', DEFAULT_SETTINGS, { enabled: false })).toBeUndefined();
  });

  it.each([
    [['KEY', 'DH_KEY'], 'Z1', [[1, 'MINOR'], [2, 'MAJOR']]],
    [['DEDICATED', 'TOP100'], 'Z1', [[1, 'MINOR'], [3, 'MAJOR']]],
    [['RESIDENTIAL'], 'C1', [[3, 'INDETERMINATE'], [7, 'MINOR']]],
  ] as const)('ladders in time keep each step: %j %s', (classes, rule, expected) => {
    expect(effectiveSettings([...classes], rule, DEFAULT_SETTINGS)?.tiers.map((t) => [t.sustainPoints, t.severity])).toEqual(expected);
  });
});
