import { pino } from 'pino';
import { startRuleWorkerProcess, type WorkerOptions } from '../worker.js';

/**
 * A rule worker process for tests that kill it (queue.bullmq.test.ts): options as JSON in argv[2],
 * "ready" on stdout once it takes jobs.
 */
const opts = { utilityTz: 'Asia/Shanghai', allowLoopbackHttp: false, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<WorkerOptions>) } as Omit<WorkerOptions, 'log'>;
await startRuleWorkerProcess({ ...opts, log: pino({ level: 'warn' }, pino.destination(2)) });
process.stdout.write('ready\n');
