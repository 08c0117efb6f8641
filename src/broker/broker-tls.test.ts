import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './broker.fixture.js';
import { connectMqtt, mosquitto } from './mqtt-clients.fixture.js';

const run = promisify(execFile);
let dir: string;
const file = (name: string) => join(dir, name);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A key and a certificate for `cn`, signed by the CA `ca` (or self-signed without one). */
async function certificate(name: string, cn: string, ca?: string, extensions?: string): Promise<void> {
  if (!ca) {
    await run('openssl', ['req', '-x509', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '1', '-subj', `/CN=${cn}`]);
    return;
  }
  await run('openssl', ['req', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`]);
  const ext = extensions ? ['-extfile', file(`${name}.ext`)] : [];
  if (extensions) await writeFile(file(`${name}.ext`), extensions);
  await run('openssl', ['x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.pem`), '-days', '1', ...ext]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lw-mqtts-'));
  await certificate('ca', 'loadwatch test CA');
  await certificate('rogue-ca', 'someone else');
  await certificate('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\n');
  await certificate('m1', 'M1', 'ca');
  await certificate('m9', 'M9', 'ca');
  await certificate('rogue-m1', 'M1', 'rogue-ca');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let tb: TestBroker | undefined;
afterEach(async () => {
  await tb?.close();
  tb = undefined;
});

async function start(): Promise<TestBroker> {
  const t = await startTestBroker({ tls: { port: 0, certFile: file('server.pem'), keyFile: file('server.key'), caFile: file('ca.pem') } });
  t.devices.add('M1', 'meter', 'secret-one');
  return t;
}
const pub = (t: TestBroker, args: string[]) =>
  mosquitto('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(t.broker.tlsPort), '--cafile', file('ca.pem'), '-t', 'meters/M1/load', '-m', '{}', '-q', '1', ...args]);

describe('MQTTS and client certificates', () => {
  it('logs a device in by a verified client certificate whose CN is its id, without a password (mosquitto_pub)', async () => {
    tb = await start();
    expect(await pub(tb, ['-i', 'M1', '--cert', file('m1.pem'), '--key', file('m1.key')])).toEqual({ code: 0, output: '' });
    expect(tb.journaled.map((j) => [j.topic, j.clientId])).toEqual([['meters/M1/load', 'M1']]);
  });

  it('refuses a certificate with the right CN from another CA (CONNACK 4)', async () => {
    tb = await start();
    const m = await pub(tb, ['-i', 'M1', '--cert', file('rogue-m1.pem'), '--key', file('rogue-m1.key')]);
    expect(m.code).not.toBe(0);
    expect(m.output).toMatch(/bad user name or password|not authori[sz]ed/i);
    expect(tb.events.map((e) => e.fields.reason)).toEqual(['certificate_not_verified']);
    expect(tb.journaled).toHaveLength(0);
  });

  it('refuses a verified certificate used with another client id (CONNACK 2) and one for a device without a live credential (4)', async () => {
    tb = await start();
    const tls = { ca: await readFile(file('ca.pem')), cert: await readFile(file('m1.pem')), key: await readFile(file('m1.key')) };
    const url = `mqtts://127.0.0.1:${tb.broker.tlsPort}`;
    expect(await connectMqtt(url, { clientId: 'M2', ...tls })).toBe(2);
    const m9 = await pub(tb, ['-i', 'M9', '-t', 'meters/M9/load', '--cert', file('m9.pem'), '--key', file('m9.key')]);
    expect(m9.code).not.toBe(0);
    expect(tb.events.map((e) => e.fields.reason)).toEqual(['client_id_not_certificate_cn', 'no_live_credential']);
  });

  it('closes a TLS connection whose packet announces more than the limit, as on the plain port', async () => {
    tb = await start();
    const tls = { ca: await readFile(file('ca.pem')), cert: await readFile(file('m1.pem')), key: await readFile(file('m1.key')) };
    const c = await connectMqtt(`mqtts://127.0.0.1:${tb.broker.tlsPort}`, { clientId: 'M1', ...tls });
    if (typeof c === 'number') throw new Error(`refused ${c}`);
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('meters/M1/load', Buffer.alloc(128 * 1024), { qos: 1 });
    await closed;
    c.end(true);
    expect(tb.events.map((e) => e.fields.limit)).toContain('packet_size');
    expect(tb.journaled).toHaveLength(0);
  });

  it('still accepts the secret over TLS without a client certificate, and refuses a client with neither', async () => {
    tb = await start();
    expect(await pub(tb, ['-i', 'M1', '-u', 'M1', '-P', 'secret-one'])).toEqual({ code: 0, output: '' });
    expect((await pub(tb, ['-i', 'M1'])).code).not.toBe(0);
    expect(tb.journaled).toHaveLength(1);
  });
});
