/**
 * npm run demo [-- --meters 1000 --concentrators 10 --speed 900 --seed 1]
 *
 * The whole picture on one machine: the service in-process (embedded PostgreSQL in DATA_DIR unless
 * DATABASE_URL is set, the same variables as `npm start`), a generated archive imported through the API
 * with the admin token from DATA_DIR/admin-token (which also issues each concentrator's MQTT credential),
 * and the fleet publishing from local midnight yesterday at 900x with voltage and overload anomalies.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_FILE } from '../src/access/bootstrap.js';
import { ConfigError, startService, type Service } from '../src/main.js';
import { StartupError } from '../src/startup-error.js';
import type { AnomalyName } from './anomalies.js';
import { archiveCsv } from './archive-csv.js';
import { senderIds } from './messages.js';
import { planSimulation, runSimulation, type SimulationOptions, type SimulationPlan, type SimulationStats } from './publisher.js';

const USAGE = `usage: npm run demo -- [--meters N] [--concentrators N] [--speed X] [--seed S]
  --meters N          meters in the fleet (default 1000, about 340 customers of every class)
  --concentrators N   concentrators (default 10)
  --speed X           simulated seconds per real second until caught up with now (default 900)
  --seed S            same seed, same fleet, curves and anomalies (default 1)
Environment: the same variables as npm start (see .env.example); LOG_LEVEL defaults to warn here.`;

const ANOMALIES: readonly AnomalyName[] = ['over-voltage', 'under-voltage', 'overload'];
const POLL_MS = 1_000;
const PROGRESS_EVERY_POLLS = 3;
const SIMULATOR_STOP_MS = 5_000;

class UsageError extends Error {}

export function parseDemoArgs(argv: string[]): SimulationOptions | null {
  const { values: v } = parseArgs({
    args: argv,
    options: { meters: { type: 'string' }, concentrators: { type: 'string' }, speed: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (v.help) return null;
  const speed = Number(v.speed ?? 900);
  if (!(speed > 0)) throw new UsageError(`--speed must be a positive number, got "${v.speed}"`);
  return { meters: whole(v.meters, 'meters', 1000), concentrators: whole(v.concentrators, 'concentrators', 10), speed, seed: v.seed ?? '1', anomalies: ANOMALIES };
}

function whole(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be an integer >= 1, got "${value}"`);
  return n;
}

/** Sum of a Prometheus counter's series in the text exposition, optionally only those carrying `label`. */
export function counterValue(metricsText: string, name: string, label?: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (label !== undefined && !line.slice(name.length, line.lastIndexOf(' ')).includes(label)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

const say = (line: string) => process.stdout.write(line + '\n');
const sinceStartS = () => process.uptime().toFixed(1);

/** The admin token the service wrote at its first start: the demo calls the API like any script would. */
async function adminToken(service: Service): Promise<string> {
  const file = join(service.config.dataDir, ADMIN_TOKEN_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`no admin token in ${file} (${(err as NodeJS.ErrnoException).code}): this DATA_DIR did not make the database's admin token; use the DATA_DIR of its first start, or a fresh database`);
  }
}

interface ImportAnswer {
  imported: { customers: number; meters: number; concentrators: number };
  credentials: { deviceId: string; secret: string }[];
}

/**
 * Imports the fleet's archive and has the service issue MQTT credentials to the devices that connect
 * (concentrators, direct meters). A second run on the same database gets none (they already have theirs,
 * and the secrets are never shown again), so the demo rotates those through the API.
 */
async function importArchive(base: string, token: string, plan: SimulationPlan): Promise<Map<string, string>> {
  const authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/api/archive/import?credentials=issue`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization }, body: archiveCsv(plan.fleet) });
  if (!res.ok) throw new Error(`archive import failed: ${res.status} ${await res.text()}`);
  const { imported, credentials } = (await res.json()) as ImportAnswer;
  say(`archive    ${imported.customers} customers, ${imported.meters} meters, ${imported.concentrators} concentrators imported (${sinceStartS()} s after start)`);
  const secrets = new Map(credentials.map((c) => [c.deviceId, c.secret]));
  for (const { id } of senderIds(plan.fleet)) {
    if (secrets.has(id)) continue;
    const rotated = await fetch(`${base}/api/devices/${encodeURIComponent(id)}/credentials`, { method: 'POST', headers: { authorization } });
    if (!rotated.ok) throw new Error(`credential for ${id} not issued: ${rotated.status} ${await rotated.text()}`);
    secrets.set(id, ((await rotated.json()) as { secret: string }).secret);
  }
  say(`devices    ${secrets.size} MQTT credentials (${credentials.length} issued by the import, ${secrets.size - credentials.length} rotated)`);
  return secrets;
}


function lookFirst(plan: SimulationPlan, httpPort: number): string {
  const event = plan.events[0];
  if (!event) return 'look first  (no anomalies planned for a fleet this small)';
  const customer = plan.fleet.customers[plan.fleet.meters[event.meterIndex].customerIndex];
  const link = `http://localhost:${httpPort}/#/customer/${encodeURIComponent(customer.id)}/${encodeURIComponent(event.label.meterId)}`;
  return `look first ${customer.name} (${customer.id}, ${customer.classes.join('|')}): ${event.label.anomaly} on meter ${event.label.meterId} from ${event.label.startTs}\n           ${link}`;
}

/** Reads /metrics once a second; reports the first stored sample and first alarm, and a progress line every few seconds. */
function watchProgress(base: string, stats: () => SimulationStats): () => void {
  let polls = 0;
  let lastStored = 0;
  let lastAtMs = Date.now();
  let sawSample = false;
  let sawAlarm = false;
  const timer = setInterval(async () => {
    const text = await fetch(`${base}/metrics`).then((r) => r.text(), () => '');
    if (!text) return;
    const stored = counterValue(text, 'loadwatch_ingest_samples_total', 'result="stored"');
    const alarms = counterValue(text, 'loadwatch_alarm_changes_total', 'change="created"');
    if (!sawSample && stored > 0) say(`first samples stored ${sinceStartS()} s after start`);
    if (!sawAlarm && alarms > 0) say(`first alarm raised ${sinceStartS()} s after start`);
    sawSample ||= stored > 0;
    sawAlarm ||= alarms > 0;
    if (++polls % PROGRESS_EVERY_POLLS !== 0) return;
    const nowMs = Date.now();
    const perS = ((stored - lastStored) * 1000) / Math.max(1, nowMs - lastAtMs);
    [lastStored, lastAtMs] = [stored, nowMs];
    const s = stats();
    say(`progress   step ${s.steps} (${s.lastTs ?? 'not yet'}): ${s.samples} samples published, ${stored} stored (${perS.toFixed(0)}/s), ${alarms} alarms raised`);
  }, POLL_MS);
  return () => clearInterval(timer);
}

/** Like `npm start`: bad configuration is one line per problem and exit code 1. */
async function start(): Promise<Service> {
  try {
    return await startService({ LOG_LEVEL: 'warn', ...process.env });
  } catch (err) {
    const lines = err instanceof ConfigError ? err.lines : err instanceof StartupError ? [err.message] : undefined;
    if (!lines) throw err;
    for (const line of lines) process.stderr.write(`demo: cannot start: ${line}\n`);
    process.exit(1);
  }
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!options) {
    say(USAGE);
    return 0;
  }
  const service = await start();
  const base = `http://127.0.0.1:${service.httpPort}`;
  const abort = new AbortController();
  let simulation: Promise<unknown> = Promise.resolve();
  let stopWatching = () => {};
  let stopping: Promise<number> | undefined;
  // The simulator goes first so that its clients say goodbye before the broker closes under them.
  const stop = (code: number) =>
    (stopping ??= (async () => {
      abort.abort();
      stopWatching();
      // Bounded: a step's QoS 1 publishes wait for their PUBACKs, and the broker is still up to send them.
      await Promise.race([simulation.catch(() => {}), new Promise((r) => setTimeout(r, SIMULATOR_STOP_MS))]);
      await service.stop();
      return code;
    })());
  const stopped = new Promise<number>((done) => {
    const onSignal = () => void stop(0).then(done);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    say(`\nloadwatch demo (service up ${sinceStartS()} s after start)\n${service.banner.map((l) => `  ${l}`).join('\n')}`);
    const plan = planSimulation(options);
    const token = await adminToken(service);
    // The dashboard asks for a token; like npm start, a new one is shown once (on stderr, away from piped output).
    if (service.adminToken) process.stderr.write(`admin token (shown once, also in ${service.adminToken.file}): ${service.adminToken.token}\n`);
    else say(`sign in    with the admin token in ${join(service.config.dataDir, ADMIN_TOKEN_FILE)}`);
    const credentials = await importArchive(base, token, plan);
    say(lookFirst(plan, service.httpPort));
    let stats: SimulationStats = { steps: 0, messages: 0, samples: 0, lastTs: null };
    stopWatching = watchProgress(base, () => stats);
    say(`simulator  ${plan.fleet.meters.length} meters behind ${plan.fleet.concentrators.length} concentrators at ${options.speed}x; Ctrl-C stops`);
    simulation = runSimulation({ ...options, mqttUrl: `mqtt://127.0.0.1:${service.mqttPort}`, credentials, onProgress: (s) => (stats = s) }, abort.signal, plan);
    await simulation;
  } catch (err) {
    if (abort.signal.aborted) return stopped;
    process.stderr.write(`demo: ${err instanceof Error ? err.stack : String(err)}\n`);
    return stop(1);
  }
  return stopped;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`demo: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
