import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every counter the service exports on /metrics, in one registry per service instance
 * (tests run several instances in one process). At each stage received = stored + quarantined (+ duplicates).
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
    backlog: new Gauge({
      name: 'loadwatch_ingest_backlog_records',
      help: 'Journaled records not yet stored',
      registers,
    }),
    storeErrors: new Counter({
      name: 'loadwatch_ingest_store_errors_total',
      help: 'Failed store batches (retried)',
      registers,
    }),
    alarmChanges: new Counter({
      name: 'loadwatch_alarm_changes_total',
      help: 'Alarm lifecycle changes',
      labelNames: ['change', 'rule', 'severity'] as const,
      registers,
    }),
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
