import { describe, expect, it } from 'vitest';
import { CUSTOMER_CLASSES, type CustomerClass } from '../domain/customer-class.js';
import { DEFAULT_SETTINGS, defaultRows, effectiveSettings, fromStored, RULES, toStored, type RuleCode } from './settings.js';

const sustains = (classes: CustomerClass[], rule: RuleCode) =>
  effectiveSettings(classes, rule, DEFAULT_SETTINGS)?.tiers.map((t) => [t.thresholdPct ?? null, t.sustainPoints, t.severity]);

describe('default matrix (domain.md 3.2)', () => {
  it.each([
    ['KEY', 'V1', [[null, 1, 'MINOR']]],
    ['TOP100', 'V1', [[null, 2, 'MINOR']]],
    ['DH_KEY', 'V1', [[null, 4, 'WARNING']]],
    ['DH_GROWTH', 'V1', [[null, 4, 'WARNING']]],
    ['DEDICATED', 'V1', [[null, 4, 'WARNING']]],
    ['LV_NONRES', 'V1', [[95, 1, 'WARNING']]],
    ['RESIDENTIAL', 'V1', [[95, 1, 'WARNING']]],
    ['KEY', 'V2', [[null, 1, 'MAJOR']]],
    ['TOP100', 'V2', [[null, 1, 'MAJOR']]],
    ['DH_KEY', 'V2', [[null, 2, 'MINOR']]],
    ['DH_GROWTH', 'V2', [[null, 2, 'MINOR']]],
    ['DEDICATED', 'V2', [[null, 2, 'MINOR']]],
    ['LV_NONRES', 'V2', [[null, 1, 'MINOR']]],
    ['RESIDENTIAL', 'V2', [[null, 1, 'MINOR']]],
    ['KEY', 'O1', [[80, 4, 'WARNING'], [100, 2, 'MAJOR'], [120, 1, 'CRITICAL']]],
    ['TOP100', 'O1', [[80, 4, 'WARNING'], [100, 2, 'MAJOR'], [120, 1, 'CRITICAL']]],
    ['DH_KEY', 'O1', [[100, 4, 'MINOR'], [120, 2, 'MAJOR']]],
    ['DH_GROWTH', 'O1', [[100, 4, 'MINOR'], [120, 2, 'MAJOR']]],
    ['DEDICATED', 'O1', [[100, 4, 'MINOR'], [120, 2, 'MAJOR']]],
    ['LV_NONRES', 'O1', [[100, 1, 'WARNING']]],
    ['RESIDENTIAL', 'O1', [[100, 1, 'WARNING']]],
  ] as const)('%s %s', (cls, rule, expected) => {
    expect(sustains([cls], rule)).toEqual(expected);
  });

  it('covers every class and rule', () => {
    expect(defaultRows()).toHaveLength(CUSTOMER_CLASSES.length * RULES.length);
  });

  it('V2 uses the 120 % / 78 % assessment band, V1 the level band', () => {
    expect(DEFAULT_SETTINGS.KEY.V2.band).toEqual({ upperPct: 120, lowerPct: 78 });
    expect(DEFAULT_SETTINGS.KEY.V1.band).toBeUndefined();
  });
});

describe('effectiveSettings: the most sensitive class wins', () => {
  it.each([
    [['TOP100', 'DH_KEY'], 'V1', [[null, 2, 'MINOR']]],
    [['DH_GROWTH', 'KEY'], 'V1', [[null, 1, 'MINOR']]],
    [['DEDICATED', 'RESIDENTIAL'], 'V2', [[null, 2, 'MINOR']]],
    [['DEDICATED', 'TOP100'], 'O1', [[80, 4, 'WARNING'], [100, 2, 'MAJOR'], [120, 1, 'CRITICAL']]],
    [['RESIDENTIAL', 'LV_NONRES'], 'O1', [[100, 1, 'WARNING']]],
    [[], 'V1', undefined],
  ] as const)('%j %s', (classes, rule, expected) => {
    expect(sustains([...classes], rule)).toEqual(expected);
  });

  it('merges field by field at the same threshold, narrows bands, keeps clearing cautious', () => {
    const s = effectiveSettings(['KEY', 'DEDICATED'], 'V2', {
      KEY: { V2: { ...DEFAULT_SETTINGS.KEY.V2, tiers: [{ severity: 'WARNING', sustainPoints: 1 }], band: { upperPct: 115, lowerPct: 80 }, clearPoints: 1 } },
      DEDICATED: { V2: { ...DEFAULT_SETTINGS.DEDICATED.V2, tiers: [{ severity: 'MAJOR', sustainPoints: 3 }], clearPoints: 4, recovery: { up: 0.98, down: 1.02 } } },
    });
    expect(s).toMatchObject({
      tiers: [{ severity: 'MAJOR', sustainPoints: 1 }],
      band: { upperPct: 115, lowerPct: 80 },
      clearPoints: 4,
      recovery: { up: 0.98, down: 1.02 },
    });
  });
});

describe('stored params', () => {
  it('round-trips and falls back per field', () => {
    const d = DEFAULT_SETTINGS.KEY.O1;
    expect(fromStored(true, JSON.parse(JSON.stringify(toStored(d))), d)).toEqual(d);
    expect(fromStored(false, { clearPoints: 5 }, d)).toEqual({ ...d, enabled: false, clearPoints: 5 });
  });

  it.each([[{ tiers: [{ severity: 'BAD', sustainPoints: 1 }] }], [{ tiers: [{ severity: 'MAJOR', sustainPoints: 0 }] }], [{ tiers: 'x' }]])(
    'rejects malformed tiers %j',
    (params) => expect(fromStored(true, params, DEFAULT_SETTINGS.KEY.V1)).toBeUndefined(),
  );
});
