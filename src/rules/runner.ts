import type { AlarmChange } from '../alarms/store.js';
import type { AnySample } from '../domain/sample.js';

/**
 * How stored samples reach the rule engine. The ingest pipeline awaits submit() before its journal checkpoint
 * advances, so a crash before submit() resolves replays the batch: adapters must accept the same samples twice
 * (the engine treats samples it has seen as replays; alarms are unique per meter/rule/phase in PostgreSQL).
 */
export interface RuleRunner {
  /** Resolves once the samples are evaluated (inline) or durably queued (BullMQ). */
  submit(samples: readonly AnySample[]): Promise<void>;
  /**
   * Resolves once what every submit() resolved so far has done is durable: until then the caller keeps those
   * samples replayable (the journal checkpoint waits). Inline this writes the rule state kept in memory since
   * the last call; a queue has nothing to add.
   */
  persist(): Promise<void>;
  close(): Promise<void>;
}

/** Told about every alarm change the engine makes; a runner that evaluates in submit() awaits it there. */
export type OnAlarmChanges = (changes: readonly AlarmChange[]) => void | Promise<void>;
