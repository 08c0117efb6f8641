import { createHash } from 'node:crypto';
import { Queue, QueueEvents, QueueEventsProducer, type JobsOptions, type QueueEventsListener } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AlarmChange } from '../alarms/store.js';
import type { AnySample } from '../domain/sample.js';
import { logRedisError } from '../notify/redis-options.js';
import { splitByShard } from './queue-shard.js';
import { packedJson, samplesOfPackedJson } from './sample-pack.js';
import type { OnAlarmChanges, RuleRunner } from './runner.js';

/**
 * Ordering: rule counters ignore a sample not newer than the last one evaluated for its (meter, rule, phase),
 * so one meter's samples must never be evaluated out of order by two workers racing. BullMQ OSS has no job
 * groups, hence N shard queues rules-0..N-1: a meter always hashes to the same shard, and every shard queue has
 * a global concurrency of 1 (cluster-wide, not per process), so each shard is a FIFO evaluated one job at a
 * time while the N shards run in parallel on any number of worker processes.
 */
export interface RuleQueueOptions {
  /** ioredis connection with maxRetriesPerRequest null; BullMQ duplicates it for blocking reads. The caller closes it. */
  connection: Redis;
  /** BullMQ key prefix: deployments (and tests) sharing one Redis stay apart. */
  prefix: string;
  shards: number;
}

/**
 * A rule job's samples as packed JSON text (sample-pack.ts): serialised once, for the job id and the job alike,
 * BullMQ then writes one string. An array of sample objects was serialised twice (the id's hash and BullMQ's own),
 * a fifth of the ingesting thread under load, and took twice the room in Redis. Jobs queued by earlier releases
 * carry the array itself.
 */
export type RuleJobData = { packed: string } | { samples: AnySample[] };

export function samplesOfJob(data: RuleJobData): AnySample[] {
  return 'packed' in data ? samplesOfPackedJson(data.packed) : data.samples;
}

/** What a finished rule job returns: it was held open while the jobs behind it were evaluated (queue-worker). */
export interface RuleJobResult {
  jobs: number;
  alarmChanges: number;
}

export const RULE_JOB_NAME = 'evaluate';

/**
 * Alarm changes travel on the queue's event stream as soon as they are committed, not as a job's return value:
 * a job completes only once the rule states of the jobs evaluated with it are written, seconds later.
 */
const ALARM_CHANGES_EVENT = 'alarm-changes';
// BullMQ's own default length of a queue's event stream; publishEvent would otherwise trim it to 1,000.
const EVENTS_MAX_LEN = 10_000;

interface AlarmChangeEvents extends QueueEventsListener {
  [ALARM_CHANGES_EVENT]: (args: { changes: string }, id: string) => void;
}

export interface AlarmChangesPublisher {
  publish(changes: readonly AlarmChange[]): Promise<void>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/** The worker side of the event stream that listenForChanges reads. */
export function alarmChangesPublisher(opts: RuleQueueOptions, shard: number, log: Logger): AlarmChangesPublisher {
  const name = ruleQueueName(shard);
  const producer = new QueueEventsProducer(name, { connection: opts.connection, prefix: opts.prefix });
  producer.on('error', (err) => logRedisError(log, err, 'rule queue events connection failed; retrying', { queue: name }));
  return {
    publish: (changes) => producer.publishEvent({ eventName: ALARM_CHANGES_EVENT, changes: JSON.stringify(changes) }, EVENTS_MAX_LEN),
    waitUntilReady: () => producer.waitUntilReady(),
    close: () => producer.close(),
  };
}

export function ruleQueueName(shard: number): string {
  return `rules-${shard}`;
}

const JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  // Kept for inspection: a job only fails after stalling maxStalledCount times (a worker crashing on it).
  removeOnFail: { count: 1000 },
};

/**
 * Same samples, same job id: a batch replayed from the journal while its first job still waits or runs is not
 * queued twice. Once that job is done a replay queues a new one, which the engine evaluates as a no-op replay.
 */
function ruleJob(shard: number, samples: readonly AnySample[]): { data: RuleJobData; jobId: string } {
  const packed = packedJson(samples);
  return { data: { packed }, jobId: `s${shard}-${createHash('sha1').update(packed).digest('hex')}` };
}

/** With a log, connection errors are logged (ioredis retries); without one, the caller listens for 'error'. */
export function openRuleQueues(opts: RuleQueueOptions, log?: Logger): Queue<RuleJobData, RuleJobResult>[] {
  return Array.from({ length: opts.shards }, (_, shard) => {
    const queue = new Queue<RuleJobData, RuleJobResult>(ruleQueueName(shard), {
      connection: opts.connection,
      prefix: opts.prefix,
      defaultJobOptions: JOB_OPTIONS,
    });
    if (log) queue.on('error', (err) => logRedisError(log, err, 'rule queue connection failed; retrying', { queue: queue.name }));
    return queue;
  });
}

/**
 * The ingesting side: submit() resolves once each shard's part of the batch is a job in Redis, one job per
 * shard touched. With onChanges, alarm changes made by any worker are passed on here too (live stream).
 */
export async function createBullmqRuleRunner(opts: RuleQueueOptions & { log: Logger; onChanges?: OnAlarmChanges }): Promise<RuleRunner> {
  const queues = openRuleQueues(opts, opts.log);
  const events = opts.onChanges ? queues.map((q) => listenForChanges(q.name, opts, opts.onChanges as OnAlarmChanges)) : [];
  // Closing a BullMQ connection that is still initialising makes it emit an 'error' nobody listens to any more.
  await Promise.all([...queues, ...events].map((c) => c.waitUntilReady()));
  return {
    async submit(samples) {
      const parts = [...splitByShard(samples, opts.shards)];
      await Promise.all(
        parts.map(([shard, list]) => {
          const { data, jobId } = ruleJob(shard, list);
          return queues[shard].add(RULE_JOB_NAME, data, { jobId });
        }),
      );
    },
    async persist() {},
    async close() {
      await Promise.all([...events.map((e) => e.close()), ...queues.map((q) => q.close())]);
    },
  };
}

function listenForChanges(name: string, opts: RuleQueueOptions & { log: Logger }, onChanges: OnAlarmChanges): QueueEvents {
  const events = new QueueEvents(name, { connection: opts.connection, prefix: opts.prefix });
  events.on('error', (err) => logRedisError(opts.log, err, 'rule queue events connection failed; retrying', { queue: name }));
  events.on<AlarmChangeEvents>(ALARM_CHANGES_EVENT, (args: { changes: string }) => {
    const changes = JSON.parse(args.changes) as AlarmChange[];
    Promise.resolve(onChanges(changes)).catch((err: unknown) => opts.log.error({ err, changes: changes.length }, 'alarm changes from the rule queue not passed on'));
  });
  return events;
}
