import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from '../../src/archive/columns.js';
import { Receiver } from '../../src/notify/receiver.fixture.js';
import { verifySignature } from '../../src/notify/signature.js';
import { killService, spawnService, type ChildService } from '../support/child-service.js';
import { uniqueName } from '../support/db.js';
import { dropSchema } from '../support/service.js';
import { loopbackEnv, schemaEnv } from '../support/service-env.js';

const Q = 15 * 60_000;
// KEY customer, 380 V three-phase: 251.3 V on phase A is above the qualified band and raises V1.
const METER = 'SLM0001';
const CONCENTRATOR = 'SLT01';
const BEHIND = 'SLM0002';
const SUBSCRIBER = 'sl-ops-feed';
const ARCHIVE = [
  ARCHIVE_COLUMNS.join(','),
  `SLC1,Secrets Test 1,KEY,"1 Test Rd",021-5555,Li Ming,100,0.9,31.2,121.5,${METER},,3P4W,380,1,1,1,primary`,
  `SLC2,Secrets Test 2,KEY,"2 Test Rd",021-5555,Li Ming,100,0.9,31.2,121.5,${BEHIND},${CONCENTRATOR},3P4W,380,1,1,1,primary`,
].join('\n');

async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
/** The secret part of an API token `lw_<id>_<secret>`: the id may be logged, this may not. */
const tokenSecret = (token: string) => token.replace(/^lw_[0-9a-f]{16}_/, '');

/**
 * Every kind of secret the service issues, issued over the API and used (and some wrong ones tried), with
 * the service logging at debug; then its whole stdout and stderr are searched for each. The one exception
 * is by design: the bootstrap admin token, printed once to stderr as plain text, never in a JSON line.
 */
describe('secrets in logs', () => {
  let child: ChildService;
  let dataDir: string;
  const schema = uniqueName('lw_secrets');
  const receiver = new Receiver();
  const clients: MqttClient[] = [];
  /** name -> secret text: everything that must not appear in the output. */
  const secrets = new Map<string, string>();
  let adminToken: string;

  async function api(path: string, init: RequestInit & { auth?: string | null } = {}): Promise<Response> {
    const { auth = adminToken, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth) headers.set('authorization', `Bearer ${auth}`);
    if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return fetch(`${child.base}/api${path}`, { ...rest, headers });
  }

  async function json<T>(res: Response, status: number): Promise<T> {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    return JSON.parse(text) as T;
  }

  function connect(clientId: string, password: string): Promise<MqttClient> {
    return mqtt.connectAsync(child.mqttUrl, { clientId, username: clientId, password, reconnectPeriod: 0, connectTimeout: 5_000 }).then((c) => {
      clients.push(c);
      return c;
    });
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'loadwatch-secrets-'));
    const hookPort = await receiver.start();
    child = await spawnService({
      ...loopbackEnv(dataDir),
      ...schemaEnv(schema),
      MQTT_ALLOW_ANONYMOUS: 'false',
      NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
      LOG_LEVEL: 'debug',
    });
    adminToken = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();

    // 1. An API token, used for reads and for a dashboard login; a wrong token tried.
    const token = (await json<{ token: string }>(await api('/tokens', { method: 'POST', body: JSON.stringify({ name: 'secrets-test', role: 'dispatcher' }) }), 201)).token;
    secrets.set('API token', token);
    secrets.set('API token (secret part)', tokenSecret(token));
    await json(await api('/alarms', { auth: token }), 200);
    const wrongToken = `${token.slice(0, -6)}AAAAAA`;
    secrets.set('wrong API token', wrongToken);
    expect((await api('/alarms', { auth: wrongToken })).status).toBe(401);
    const byToken = await api('/session', { method: 'POST', auth: null, body: JSON.stringify({ token }) });
    await json(byToken, 200);

    // 2. A user password, used to sign in (the session cookie is a secret too); a wrong password tried.
    const password = `pw-${uniqueName('x')}-Correct`;
    secrets.set('user password', password);
    await json(await api('/users', { method: 'POST', body: JSON.stringify({ username: 'sl-viewer', role: 'viewer', password }) }), 201);
    const login = await api('/session', { method: 'POST', auth: null, body: JSON.stringify({ username: 'sl-viewer', password }) });
    await json(login, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    secrets.set('session cookie', cookie.slice(cookie.indexOf('=') + 1));
    await json(await api('/session', { auth: null, headers: { cookie } }), 200);
    const wrongPassword = `${password}-wrong`;
    secrets.set('wrong user password', wrongPassword);
    expect((await api('/session', { method: 'POST', auth: null, body: JSON.stringify({ username: 'sl-viewer', password: wrongPassword }) })).status).toBe(401);

    // 3. Device credentials: issued by the archive import, and rotated over the API.
    const imported = await json<{ credentials: Array<{ deviceId: string; secret: string }> }>(
      await api('/archive/import?credentials=issue', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: ARCHIVE }),
      200,
    );
    for (const c of imported.credentials) secrets.set(`imported secret of ${c.deviceId}`, c.secret);
    const concentratorSecret = imported.credentials.find((c) => c.deviceId === CONCENTRATOR)?.secret;
    expect(concentratorSecret, 'the import issues the concentrator a secret').toBeDefined();
    const meterSecret = (await json<{ secret: string }>(await api(`/devices/${METER}/credentials`, { method: 'POST' }), 201)).secret;
    secrets.set('rotated meter secret', meterSecret);

    // 4. An MQTT alarm subscriber credential.
    const subscriberSecret = (await json<{ secret: string }>(await api('/mqtt-subscribers', { method: 'POST', body: JSON.stringify({ id: SUBSCRIBER, filters: ['alarms/#'] }) }), 201)).secret;
    secrets.set('MQTT subscriber secret', subscriberSecret);

    // 5. A webhook subscription secret.
    const sub = await json<{ id: string; secret: string }>(await api('/subscriptions', { method: 'POST', body: JSON.stringify({ url: `http://127.0.0.1:${hookPort}/hook`, description: 'secrets' }) }), 201);
    secrets.set('webhook secret', sub.secret);

    // Used: MQTT connects with the right secrets and a wrong one; an alarm travels to MQTT and the webhook.
    const wrongDeviceSecret = `${meterSecret.slice(0, -6)}AAAAAA`;
    secrets.set('wrong device secret', wrongDeviceSecret);
    await expect(connect(METER, wrongDeviceSecret)).rejects.toThrow();
    await (await connect(CONCENTRATOR, concentratorSecret!)).endAsync();
    const feed = await connect(SUBSCRIBER, subscriberSecret);
    const alarmsOnMqtt: string[] = [];
    feed.on('message', (topic) => alarmsOnMqtt.push(topic));
    await feed.subscribeAsync('alarms/#', { qos: 1 });
    const meter = await connect(METER, meterSecret);
    const ts = Math.floor(Date.now() / Q) * Q - 2 * Q;
    await meter.publishAsync(`meters/${METER}/voltage`, JSON.stringify({ ts, a: 251.3, b: 229, c: 230 }), { qos: 1 });

    const delivered = await until('the webhook delivery', () => receiver.requests[0]);
    expect(verifySignature(delivered.signature, sub.secret, delivered.body, Math.floor(Date.now() / 1000))).toBe(true);
    await until('the alarm on MQTT', () => alarmsOnMqtt[0]);

    await Promise.all(clients.map((c) => c.endAsync()));
    // A clean stop, so every line the service had to write is written.
    child.proc.kill('SIGTERM');
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 10_000))]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await killService(child);
    await receiver.stop();
    await dropSchema(schema);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('issued every kind of secret and logged at debug', () => {
    expect([...secrets.keys()]).toEqual(expect.arrayContaining(['API token', 'user password', 'session cookie', 'rotated meter secret', 'MQTT subscriber secret', 'webhook secret']));
    expect(child.stdout().split('\n').filter((l) => l.includes('"level":20')).length, 'debug lines were written').toBeGreaterThan(0);
    // The grep below sees the lines written while the secrets were in use (the device's auth failure, its rotation).
    expect(child.stdout()).toContain(METER);
  });

  it('writes none of them to stdout or stderr', () => {
    const output = { stdout: child.stdout(), stderr: child.stderr() };
    const found = [...secrets].flatMap(([name, secret]) =>
      Object.entries(output).filter(([, text]) => text.includes(secret)).map(([stream]) => `${name} in ${stream}`),
    );
    expect(found).toEqual([]);
  });

  it('prints the bootstrap admin token exactly once, to stderr, and never in a JSON log line', () => {
    expect(adminToken).toMatch(/^lw_[0-9a-f]{16}_/);
    expect(count(child.stderr(), adminToken)).toBe(1);
    expect(child.stdout()).not.toContain(tokenSecret(adminToken));
    expect(count(child.stderr(), tokenSecret(adminToken))).toBe(1);
    const jsonLines = [...child.stdout().split('\n'), ...child.stderr().split('\n')].filter((l) => l.trimStart().startsWith('{'));
    expect(jsonLines.filter((l) => l.includes(adminToken))).toEqual([]);
  });
});
