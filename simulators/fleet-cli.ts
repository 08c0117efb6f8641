/**
 * npm run simulate -- --meters 1000 --concentrators 10 --speed 900 --seed 1
 *   [--anomalies over-voltage,under-voltage,overload] [--archive-out FILE] [--labels-out FILE]
 *   [--mqtt-url URL] [--credentials FILE] [--steps N] [--no-publish] ...   (--help lists everything)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ANOMALY_NAMES, isAnomalyName, labelsJsonLines, type AnomalyName } from './anomalies.js';
import { archiveCsv } from './archive-csv.js';
import { parseCredentialsFile } from './credentials-file.js';
import { isoLocal } from './local-time.js';
import { planSimulation, runSimulation, type SimulationOptions } from './publisher.js';

const USAGE = `usage: npm run simulate -- [options]
  --meters N            meters in the fleet (default 1000)
  --concentrators N     concentrators (default 10)
  --direct-meters N     meters that publish on their own topic (default 0)
  --seed S              seed; same seed, same fleet and curves (default 1)
  --speed X             simulated seconds per real second until caught up with now (default 900)
  --start ISO           first simulated instant (default local midnight of yesterday)
  --steps N             stop after N 15-minute steps
  --duration-s N        stop after N real seconds
  --until ISO           stop after this simulated instant
  --anomalies LIST      comma-separated: ${ANOMALY_NAMES.join(', ')}
  --archive-out FILE    write the archive CSV
  --labels-out FILE     write the anomaly labels (JSON lines)
  --no-publish          only write the files
  --mqtt-url URL        broker (default $MQTT_URL or mqtt://localhost:1883)
  --credentials FILE    device secrets (the saved answer of POST /api/archive/import?credentials=issue,
                        or CSV lines deviceId,secret): those devices connect as themselves
  --username U --password P --client-id-prefix P --topic-prefix P --qos 0|1|2`;

class UsageError extends Error {}

const FLAGS = {
  meters: { type: 'string' }, concentrators: { type: 'string' }, 'direct-meters': { type: 'string' }, seed: { type: 'string' },
  speed: { type: 'string' }, start: { type: 'string' }, steps: { type: 'string' }, 'duration-s': { type: 'string' }, until: { type: 'string' },
  anomalies: { type: 'string' }, 'archive-out': { type: 'string' }, 'labels-out': { type: 'string' }, 'no-publish': { type: 'boolean' },
  'mqtt-url': { type: 'string' }, credentials: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' }, 'client-id-prefix': { type: 'string' },
  'topic-prefix': { type: 'string' }, qos: { type: 'string' }, help: { type: 'boolean' },
} as const;

function count(value: string | undefined, name: string, fallback?: number, min = 1): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

function instant(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO-8601 instant, got "${value}"`);
  return ms;
}

function anomalies(value: string | undefined): AnomalyName[] {
  const names = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !isAnomalyName(n));
  if (unknown.length > 0) throw new UsageError(`--anomalies: unknown ${unknown.join(', ')} (known: ${ANOMALY_NAMES.join(', ')})`);
  return names as AnomalyName[];
}

function credentials(file: string | undefined): Map<string, string> | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--credentials: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = parseCredentialsFile(text);
  if (!parsed.ok) throw new UsageError(`--credentials: ${file}: ${parsed.error}`);
  return parsed.credentials;
}

function parse(argv: string[]): { options: SimulationOptions; archiveOut?: string; labelsOut?: string; publish: boolean } | null {
  const { values: v } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  if (v.help) return null;
  const speed = Number(v.speed ?? 900);
  if (!(speed > 0)) throw new UsageError(`--speed must be a positive number, got "${v.speed}"`);
  const qos = count(v.qos, 'qos', 1, 0);
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new UsageError(`--qos must be 0, 1 or 2`);
  const durationS = count(v['duration-s'], 'duration-s');
  const options: SimulationOptions = {
    meters: count(v.meters, 'meters', 1000)!, concentrators: count(v.concentrators, 'concentrators', 10)!,
    directMeters: count(v['direct-meters'], 'direct-meters', 0, 0), seed: v.seed ?? '1', speed,
    startMs: instant(v.start, 'start'), untilMs: instant(v.until, 'until'), steps: count(v.steps, 'steps'),
    durationMs: durationS === undefined ? undefined : durationS * 1000, anomalies: anomalies(v.anomalies),
    qos, mqttUrl: v['mqtt-url'], credentials: credentials(v.credentials), username: v.username, password: v.password, clientIdPrefix: v['client-id-prefix'], topicPrefix: v['topic-prefix'],
  };
  return { options, archiveOut: v['archive-out'], labelsOut: v['labels-out'], publish: !v['no-publish'] };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`simulate: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!parsed) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { options, archiveOut, labelsOut, publish } = parsed;
  const plan = planSimulation(options);
  const log = (line: string) => process.stderr.write(line + '\n');
  log(`fleet: ${plan.fleet.customers.length} customers, ${plan.fleet.meters.length} meters, ${plan.fleet.concentrators.length} concentrators; start ${isoLocal(plan.startMs)}; ${plan.events.length} anomalies`);
  if (archiveOut) {
    writeFileSync(archiveOut, archiveCsv(plan.fleet));
    log(`archive written to ${archiveOut}`);
  }
  if (labelsOut) {
    writeFileSync(labelsOut, labelsJsonLines(plan.events));
    log(`labels written to ${labelsOut}`);
  }
  if (!publish) return 0;
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const stats = await runSimulation(
    {
      ...options,
      onProgress: (s) => log(`step ${s.steps} ${s.lastTs}: ${s.messages} messages, ${s.samples} samples`),
      onEvent: (e) => log(e.type === 'error' ? `mqtt ${e.clientId}: ${e.error.message}` : `mqtt ${e.clientId}: ${e.type}`),
    },
    abort.signal,
    plan,
  );
  log(`done: ${stats.steps} steps, ${stats.messages} messages, ${stats.samples} samples`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`simulate: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
