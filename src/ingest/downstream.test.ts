import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { Downstream, MAX_IN_FLIGHT_SAMPLES } from './downstream.js';

const SAMPLE: AnySample = { kind: 'voltage', meterId: 'm1', tsMs: 0, values: { a: 220, b: 220, c: 220 }, multiplier: 1 };
const samples = (n: number): AnySample[] => new Array<AnySample>(n).fill(SAMPLE);

/** A Downstream whose rules hold every evaluation until release(). */
function heldRules() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const evaluated: number[] = [];
  const metrics = createMetrics();
  const downstream = new Downstream({
    afterStore: async (s) => {
      await held;
      evaluated.push(s.length);
    },
    checkpoint: () => undefined,
    onHealth: () => undefined,
    metrics,
    log: createLogger('silent'),
    clock: Date.now,
  });
  const pendingGauge = async () => (await metrics.rulesPending.get()).values[0]?.value;
  return { downstream, release, evaluated, pendingGauge };
}

/** Whether storing may go on now, or waits for the rules. */
const roomNow = (d: Downstream) => Promise.race([d.room().then(() => 'goes on'), new Promise((r) => setTimeout(() => r('waits'), 20))]);

describe('Downstream: how far storing goes ahead of the rules', () => {
  it.each([
    { batches: [1_000], storing: 'goes on' },
    { batches: [MAX_IN_FLIGHT_SAMPLES - 1], storing: 'goes on' },
    // Many small batches: at half load a rule state persist holds the rules for seconds, and storing goes on.
    { batches: new Array<number>(500).fill(100), storing: 'goes on' },
    { batches: [MAX_IN_FLIGHT_SAMPLES], storing: 'waits' },
    { batches: [MAX_IN_FLIGHT_SAMPLES / 2, MAX_IN_FLIGHT_SAMPLES / 2], storing: 'waits' },
    { batches: new Array<number>(100).fill(MAX_IN_FLIGHT_SAMPLES / 100), storing: 'waits' },
  ])('$batches.length batch(es) of $batches.0 samples waiting for held rules: storing $storing', async ({ batches, storing }) => {
    const { downstream, release } = heldRules();
    batches.forEach((n, i) => downstream.hand(samples(n), { segment: 0, offset: i + 1 }));
    expect(await roomNow(downstream)).toBe(storing);
    release();
    await downstream.done();
    expect(await roomNow(downstream)).toBe('goes on');
  });

  it('evaluates the batches that waited together once the rules are free, and counts them out (and in the metric)', async () => {
    const { downstream, release, evaluated, pendingGauge } = heldRules();
    downstream.hand(samples(MAX_IN_FLIGHT_SAMPLES / 2), { segment: 0, offset: 1 });
    downstream.hand(samples(MAX_IN_FLIGHT_SAMPLES / 4), { segment: 0, offset: 2 });
    downstream.hand(samples(MAX_IN_FLIGHT_SAMPLES / 4), { segment: 0, offset: 3 });
    expect(await roomNow(downstream)).toBe('waits');
    expect(await pendingGauge()).toBe(MAX_IN_FLIGHT_SAMPLES);
    release();
    await downstream.done();
    expect(evaluated).toEqual([MAX_IN_FLIGHT_SAMPLES / 2, MAX_IN_FLIGHT_SAMPLES / 2]);
    expect(await pendingGauge()).toBe(0);
    downstream.hand(samples(MAX_IN_FLIGHT_SAMPLES - 1), { segment: 0, offset: 4 });
    expect(await roomNow(downstream)).toBe('goes on');
  });
});
