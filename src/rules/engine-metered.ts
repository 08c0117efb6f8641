import type { RuleMetrics } from '../metrics.js';
import type { RuleEngine } from './engine.js';

/** The engine with its evaluations counted and timed (RuleMetrics), whatever runs it: a thread, a queue worker. */
export function meteredRuleEngine(engine: RuleEngine, metrics: RuleMetrics): RuleEngine {
  return {
    flush: (meterIds) => engine.flush(meterIds),
    invalidateSettings: () => engine.invalidateSettings(),
    close: () => engine.close(),
    async evaluate(samples, contexts, opts) {
      const stop = metrics.evaluationSeconds.startTimer();
      try {
        const changes = await engine.evaluate(samples, contexts, opts);
        metrics.samplesEvaluated.inc(samples.length);
        return changes;
      } catch (err) {
        metrics.evaluationErrors.inc();
        throw err;
      } finally {
        stop();
      }
    },
  };
}
