import type { MeterContext } from '../domain/archive.js';
import type { RuleEngine } from './engine.js';
import type { OnAlarmChanges, RuleRunner } from './runner.js';

export interface InlineRunnerDeps {
  engine: RuleEngine;
  /** The archive entry of a meter; samples of meters it does not know are not evaluated. */
  contextOf(meterId: string): MeterContext | undefined;
  onChanges: OnAlarmChanges;
}

/**
 * Evaluates in the ingesting process, inside submit(): the single-process mode. Rule state that changed no alarm
 * stays in memory until persist() (the pipeline calls it before it checkpoints the journal), so a batch costs no
 * state write unless it changes an alarm.
 */
export function createInlineRuleRunner(deps: InlineRunnerDeps): RuleRunner {
  return {
    async submit(samples) {
      const contexts = new Map<string, MeterContext>();
      for (const s of samples) {
        const ctx = deps.contextOf(s.meterId);
        if (ctx) contexts.set(s.meterId, ctx);
      }
      const changes = await deps.engine.evaluate(samples, contexts, { deferSnapshot: true });
      if (changes.length > 0) await deps.onChanges(changes);
    },
    persist: () => deps.engine.flush(),
    close: () => deps.engine.flush(),
  };
}
