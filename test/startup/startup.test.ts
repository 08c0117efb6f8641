import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAdminToken } from '../support/api.js';
import { ChildService, closeServer, occupyPort, portOf } from './child-service.js';

const EXIT_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 20_000;
const STACK_LINE = /^\s+at /m;

let dataDir: string;
const children: ChildService[] = [];
const held: Server[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'loadwatch-startup-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  for (const server of held.splice(0)) await closeServer(server);
  await rm(dataDir, { recursive: true, force: true });
});

function start(env: Record<string, string>): ChildService {
  const child = new ChildService({ DATA_DIR: dataDir, HTTP_PORT: '0', ...env });
  children.push(child);
  return child;
}

async function hold(port: number, host: string): Promise<number> {
  const server = await occupyPort(port, host);
  held.push(server);
  return portOf(server);
}

/** The operator's view of a failed start: only these lines on stderr, exit code 1, no stack trace anywhere. */
async function expectRefusal(child: ChildService, variables: string[]): Promise<string[]> {
  const exit = await child.exit(EXIT_TIMEOUT_MS);
  const lines = child.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.map((l) => /^loadwatch: cannot start: ([A-Z_]+)/.exec(l)?.[1]), child.stderr).toEqual(variables);
  expect(exit).toEqual({ code: 1, signal: null });
  expect(child.stderr).not.toMatch(STACK_LINE);
  expect(child.stdout).not.toMatch(STACK_LINE);
  return lines;
}

describe('npm start refuses a bad environment with one line per problem', () => {
  it('an explicit MQTT_PORT that is in use', async () => {
    const port = await hold(0, '0.0.0.0');
    const [line] = await expectRefusal(start({ MQTT_PORT: String(port) }), ['MQTT_PORT']);
    expect(line).toContain(`port ${port} is already in use`);

    // The operator follows the advice: the half-started first attempt left a DATA_DIR that starts cleanly.
    const fixed = start({ MQTT_PORT: '0' });
    await fixed.waitForStderr(/loadwatch is running/, START_TIMEOUT_MS);
    fixed.signal('SIGTERM');
    expect(await fixed.exit(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
  });

  it('an MQTT_HOST that is not an address of this machine', async () => {
    // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never assigned to a real interface.
    const [line] = await expectRefusal(start({ MQTT_PORT: '0', MQTT_HOST: '203.0.113.7' }), ['MQTT_HOST']);
    expect(line).toContain('EADDRNOTAVAIL');
  });

  it('an explicit HTTP_PORT that is in use', async () => {
    const port = await hold(0, '0.0.0.0');
    const [line] = await expectRefusal(start({ HTTP_PORT: String(port), MQTT_PORT: '0' }), ['HTTP_PORT']);
    expect(line).toContain(`port ${port} is already in use`);
  });

  it('an unreachable DATABASE_URL', async () => {
    const [line] = await expectRefusal(start({ MQTT_PORT: '0', DATABASE_URL: 'postgres://127.0.0.1:1/nope' }), ['DATABASE_URL']);
    expect(line).toContain('cannot connect');
  });

  it('a DATA_DIR under a regular file', async () => {
    const file = join(dataDir, 'not-a-directory');
    await writeFile(file, 'x');
    const [line] = await expectRefusal(start({ MQTT_PORT: '0', DATA_DIR: join(file, 'data') }), ['DATA_DIR']);
    expect(line).toContain('not a writable directory');
  });

  it('two bad values: two lines', async () => {
    const lines = await expectRefusal(start({ MQTT_PORT: 'abc', LOG_LEVEL: 'loud' }), ['MQTT_PORT', 'LOG_LEVEL']);
    expect(lines[0]).toContain('"abc"');
    expect(lines[1]).toContain('"loud"');
  });
});

describe('npm start with MQTT_PORT unset and 1883 taken', () => {
  it('falls back to a free port, says which, accepts MQTT there and stops cleanly on SIGTERM', async ({ annotate }) => {
    // Mosquitto holds 127.0.0.1:1883 on this machine; where it does not, this test holds it the same way.
    await hold(1883, '127.0.0.1').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
    });

    const startedMs: number[] = [];
    for (const run of ['fresh DATA_DIR', 'existing DATA_DIR']) {
      const child = start({ LOG_LEVEL: 'warn' });
      const running = await child.waitForStderr(/loadwatch is running\n(?:.*\n)*?\s*note\s+port 1883 was taken, so MQTT is on (\d+); set MQTT_PORT to choose\n/, START_TIMEOUT_MS);
      startedMs.push(running.afterMs);
      await annotate(`${run}: "loadwatch is running" ${running.afterMs} ms after spawn`);
      const mqttPort = Number(running.match[1]);
      const httpPort = Number(/dashboard\s+http:\/\/localhost:(\d+)\//.exec(child.stderr)?.[1]);
      expect(mqttPort).not.toBe(1883);
      expect(child.stderr).toContain(`MQTT       mqtt://localhost:${mqttPort}`);

      // The first start on a fresh database makes the admin token and shows it once; the next start does not.
      const shown = /admin token \(shown once, also written to (.+)\): (lw_\S+)\n/.exec(child.stderr);
      if (run === 'fresh DATA_DIR') {
        expect(shown?.[1]).toBe(join(dataDir, 'admin-token'));
        expect(shown?.[2]).toBe(readAdminToken(dataDir));
        expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
      } else {
        expect(child.stderr).not.toContain('admin token');
      }
      await expectLoadwatchBehind(mqttPort, httpPort, run, readAdminToken(dataDir));

      child.signal('SIGTERM');
      expect(await child.exit(EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
      expect(child.stderr).not.toMatch(STACK_LINE);
    }
    expect(startedMs).toHaveLength(2);
  }, 2 * START_TIMEOUT_MS + EXIT_TIMEOUT_MS);
});

/** Proves the port is loadwatch's broker, not another one: a message on a non-device topic lands in its quarantine. */
async function expectLoadwatchBehind(mqttPort: number, httpPort: number, marker: string, token: string): Promise<void> {
  // A device topic (anonymous clients may publish only there) whose last level names no kind of data.
  const topic = `meters/startup${Date.now()}/marker`;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `startup-test-${process.pid}`, reconnectPeriod: 0, connectTimeout: 5_000 });
  try {
    await client.publishAsync(topic, marker, { qos: 1 });
  } finally {
    await client.endAsync();
  }
  await expect
    .poll(async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/quarantine?reason=unknown_topic`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { items: { topic: string }[] };
      return body.items.map((i) => i.topic);
    }, { timeout: 10_000 })
    .toContain(topic);
}
