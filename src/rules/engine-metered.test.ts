import { describe, expect, it } from 'vitest';
import type { AnySample } from '../domain/sample.js';
import { createWorkerMetrics } from '../metrics.js';
import type { RuleEngine } from './engine.js';
import { meteredRuleEngine } from './engine-metered.js';

const sample = (meterId: string): AnySample => ({ kind: 'voltage', meterId, tsMs: 0, values: { a: 220, b: 220, c: 220 }, multiplier: 1 });

/** An engine whose evaluations succeed or fail in turn, as a database that comes and goes would make them. */
function engineThat(outcomes: ('ok' | 'fail')[]): RuleEngine {
  return {
    evaluate: async () => {
      if (outcomes.shift() === 'fail') throw new Error('connection terminated');
      return [];
    },
    flush: async () => {},
    invalidateSettings: () => {},
    close: async () => {},
  };
}

describe('meteredRuleEngine', () => {
  it.each<[string, ('ok' | 'fail')[], number[], { samples: number; batches: number; errors: number }]>([
    ['two batches evaluated', ['ok', 'ok'], [3, 2], { samples: 5, batches: 2, errors: 0 }],
    ['a failed batch is timed and counted as an error, not as evaluated samples', ['ok', 'fail', 'ok'], [3, 4, 4], { samples: 7, batches: 3, errors: 1 }],
  ])('%s', async (_name, outcomes, sizes, expected) => {
    const metrics = createWorkerMetrics();
    const engine = meteredRuleEngine(engineThat(outcomes), metrics);
    for (const size of sizes) await engine.evaluate(Array.from({ length: size }, (_, i) => sample(`m${i}`)), new Map()).catch(() => undefined);
    const read = async (metric: string, line = metric) => Number(new RegExp(`^${line} (\\S+)$`, 'm').exec(await metrics.registry.getSingleMetricAsString(metric))?.[1]);
    expect({
      samples: await read('loadwatch_rules_samples_evaluated_total'),
      batches: await read('loadwatch_rules_evaluation_seconds', 'loadwatch_rules_evaluation_seconds_count'),
      errors: await read('loadwatch_rules_evaluation_errors_total'),
    }).toEqual(expected);
  });
});
