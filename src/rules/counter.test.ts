import { describe, expect, it } from 'vitest';
import { initialCounterState, quietTiers, stepCounter, stepsQuietly, type CounterOptions, type CounterState, type CounterTier, type PointValue } from './counter.js';

// Two tiers over 250 V: MINOR after 2 points, MAJOR after 3; cleared after 2 points below 250 x 0.99.
const defs: CounterTier[] = [
  { severity: 'MINOR', sustainPoints: 2, limit: { upper: 250, lower: null, inclusive: false } },
  { severity: 'MAJOR', sustainPoints: 3, limit: { upper: 250, lower: null, inclusive: false } },
];
const opts: CounterOptions = { clearPoints: 2, recovery: { up: 0.99, down: 1.01 }, maxGapMs: 3_600_000, peakScore: (v) => v };
const Q = 900_000;

function run(values: PointValue[], from: CounterState = initialCounterState(defs.length)): CounterState {
  return values.reduce<CounterState>((state, value, i) => stepCounter(state, (i + 1) * Q, value, defs, opts).state, from);
}

describe('quiet counters share one frozen tiers array', () => {
  it.each<[string, PointValue[], boolean, { count: number; raised: boolean }[]]>([
    ['nothing seen yet', [], true, [{ count: 0, raised: false }, { count: 0, raised: false }]],
    ['normal values', [230, 231], true, [{ count: 0, raised: false }, { count: 0, raised: false }]],
    ['missing values only', [null, [null, null]], true, [{ count: 0, raised: false }, { count: 0, raised: false }]],
    ['a count running', [260], false, [{ count: 1, raised: false }, { count: 1, raised: false }]],
    ['a run that stopped before its sustain', [260, 230], true, [{ count: 0, raised: false }, { count: 0, raised: false }]],
    ['an alarm raised', [260, 261], false, [{ count: 2, raised: true }, { count: 2, raised: false }]],
    ['an alarm still clearing', [260, 261, 240], false, [{ count: 0, raised: true }, { count: 0, raised: false }]],
    ['an alarm cleared', [260, 261, 240, 240], true, [{ count: 0, raised: false }, { count: 0, raised: false }]],
  ])('%s', (_name, values, shared, tiers) => {
    const state = run(values);
    expect(state.tiers.map(({ count, raised }) => ({ count, raised }))).toEqual(tiers);
    expect(state.tiers === quietTiers(defs.length)).toBe(shared);
  });

  it('stays all-quiet while counters around it count, raise and clear', () => {
    run([260, 261, 262, 240, 240, 260]);
    // A settings change to three tiers while an alarm is raised keeps it raised on tiers of its own.
    const raised = run([260, 261]);
    const three = [...defs, { ...defs[1], severity: 'CRITICAL' as const }];
    expect(stepCounter(raised, 10 * Q, 255, three, opts).state.active).not.toBeNull();
    for (const n of [2, 3]) expect(quietTiers(n)).toEqual(Array.from({ length: n }, () => ({ count: 0, raised: false, clearCount: 0 })));
    expect(Object.isFrozen(quietTiers(2)) && Object.isFrozen(quietTiers(2)[0])).toBe(true);
  });

  it('tells a quiet counter with tiers of its own (an older snapshot, a test) as quiet too', () => {
    const own: CounterState = { ...run([230]), tiers: [{ count: 0, raised: false, clearCount: 0 }, { count: 0, raised: false, clearCount: 0 }] };
    expect(stepsQuietly(own, 231, defs)).toBe(true);
    expect(stepsQuietly(own, 260, defs)).toBe(false);
    expect(stepsQuietly({ ...own, tiers: [own.tiers[0]] }, 231, defs)).toBe(false);
    const later = (from: CounterState) => [260, 261].reduce<CounterState>((state, value, i) => stepCounter(state, (i + 2) * Q, value, defs, opts).state, from);
    expect(later(own)).toEqual(later(run([230])));
  });
});
