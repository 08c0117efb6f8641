import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every counter the service exports on /metrics, in one registry per service instance
 * (tests run several instances in one process). Accounting, so a drop anywhere is visible:
 *   messages_total = sum(messages_processed_total) + backlog_records + disk_only_records
 *   samples_decoded_total = sum(samples_total over every result)
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'loadwatch_process_' });
  const registers = [registry];
  return {
    registry,
    messagesReceived: new Counter({
      name: 'loadwatch_ingest_messages_total',
      help: 'MQTT messages written to the ingest journal',
      registers,
    }),
    samples: new Counter({
      name: 'loadwatch_ingest_samples_total',
      help: 'Samples by outcome: stored (new row), overwritten (re-send with other values), duplicate (identical re-send)',
      labelNames: ['result'] as const,
      registers,
    }),
    quarantined: new Counter({
      name: 'loadwatch_ingest_quarantined_total',
      help: 'Messages or records put in quarantine, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    journalFlushSeconds: new Histogram({
      name: 'loadwatch_journal_flush_seconds',
      help: 'Time to write and sync one group commit of the ingest journal',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'loadwatch_ingest_batch_seconds',
      help: 'Time to decode, store and evaluate one ingest batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    persistSeconds: new Histogram({
      name: 'loadwatch_rule_state_persist_seconds',
      help: 'Time to write the rule state of the meters evaluated since the last persist, before the journal is checkpointed',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    backlog: new Gauge({
      name: 'loadwatch_ingest_backlog_records',
      help: 'Journaled records not yet stored, queued in memory (those waiting on disk only: loadwatch_ingest_disk_only_records)',
      registers,
    }),
    rulesPending: new Gauge({
      name: 'loadwatch_rules_pending_samples',
      help: 'Stored samples whose rule evaluation has not finished: how far the rules are behind storing',
      registers,
    }),
    messagesProcessed: new Counter({
      name: 'loadwatch_ingest_messages_processed_total',
      help: 'Journaled messages through the pipeline by outcome: accepted, partial (some records quarantined), quarantined, empty (nothing in it)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    samplesDecoded: new Counter({
      name: 'loadwatch_ingest_samples_decoded_total',
      help: 'Samples decoded and resolved, handed to the store (each ends in one loadwatch_ingest_samples_total result)',
      registers,
    }),
    bufferBytes: new Gauge({
      name: 'loadwatch_ingest_buffer_bytes',
      help: 'Journaled bytes not yet stored (the durable ingest buffer, capped by INGEST_BUFFER_MAX_BYTES)',
      registers,
    }),
    memoryBytes: new Gauge({
      name: 'loadwatch_ingest_memory_bytes',
      help: 'Unstored journal bytes held in memory (capped by INGEST_MEMORY_MAX_BYTES; the rest wait on disk)',
      registers,
    }),
    diskOnly: new Gauge({
      name: 'loadwatch_ingest_disk_only_records',
      help: 'Journaled records not yet stored that wait on disk only, to be read back as the store catches up',
      registers,
    }),
    degraded: new Gauge({
      name: 'loadwatch_ingest_degraded',
      help: '1 while the store is unreachable or the ingest buffer is full, else 0',
      registers,
    }),
    storeErrors: new Counter({
      name: 'loadwatch_ingest_store_errors_total',
      help: 'Failed store batches (retried)',
      registers,
    }),
    downstreamErrors: new Counter({
      name: 'loadwatch_ingest_downstream_errors_total',
      help: 'Failed rule evaluations of stored batches (retried until they succeed)',
      registers,
    }),
    alarmChanges: new Counter({
      name: 'loadwatch_alarm_changes_total',
      help: 'Alarm lifecycle changes this service heard of, from its own rules and from every worker',
      labelNames: ['change', 'rule', 'severity'] as const,
      registers,
    }),
    ...ruleMetrics(registers),
    wsClients: new Gauge({
      name: 'loadwatch_ws_clients',
      help: 'Open WebSocket connections',
      registers,
    }),
    wsDropped: new Counter({
      name: 'loadwatch_ws_clients_dropped_total',
      help: 'WebSocket clients cut off for not keeping up',
      registers,
    }),
    securityEvents: new Counter({
      name: 'loadwatch_security_events_total',
      help: 'Security events: auth failures, ACL denials, lockouts, revocations, credential and configuration changes',
      labelNames: ['event'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The rule evaluations of this process: the service's (inline, or working the queue itself) or an `npm run
 * worker`'s. Summed over the processes of a scale-out layout they give the fleet's figures.
 */
function ruleMetrics(registers: Registry[]) {
  return {
    samplesEvaluated: new Counter({
      name: 'loadwatch_rules_samples_evaluated_total',
      help: 'Samples whose rules were evaluated (a replay is counted again)',
      registers,
    }),
    evaluationSeconds: new Histogram({
      name: 'loadwatch_rules_evaluation_seconds',
      help: 'Time to evaluate one batch of samples, alarm changes and their rule states written',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    evaluationErrors: new Counter({
      name: 'loadwatch_rules_evaluation_errors_total',
      help: 'Batch evaluations that failed (retried by their caller)',
      registers,
    }),
  };
}

export type RuleMetrics = ReturnType<typeof ruleMetrics>;

/** `npm run worker`'s registry: the process and its rules. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'loadwatch_process_' });
  return { registry, ...ruleMetrics([registry]) };
}
