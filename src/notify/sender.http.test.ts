import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CountingServer } from './counting-server.fixture.js';
import { createHttpSender } from './sender.http.js';
import type { ResolveHost } from './webhook-target.js';

const servers: CountingServer[] = [];
async function serve(answer?: (res: ServerResponse) => void, host?: string): Promise<{ server: CountingServer; port: number }> {
  const server = new CountingServer(answer);
  servers.push(server);
  return { server, port: await server.start(host) };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const send = (allowLoopbackHttp: boolean, resolve?: ResolveHost) => createHttpSender({ timeoutMs: 2_000, allowLoopbackHttp, resolve });

describe('webhook sender: request forgery', () => {
  it('posts to a loopback receiver when the test setting allows it', async () => {
    const { server, port } = await serve();
    const result = await send(true)(`http://127.0.0.1:${port}/hook`, '{"a":1}', { 'x-test': '1' });
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(server.requests).toEqual([{ host: `127.0.0.1:${port}`, body: '{"a":1}' }]);
  });

  it('refuses a receiver on 127.0.0.1 without the setting: not one connection is made', async () => {
    const { server, port } = await serve();
    const result = await send(false)(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(result.error).toBe('not sent: url host 127.0.0.1 is a loopback address (127.0.0.0/8): allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)');
    expect(server.connections).toBe(0);
  });

  it('refuses a receiver on [::1] without the setting: not one connection is made', async () => {
    const { server, port } = await serve(undefined, '::1');
    const result = await send(false)(`http://[::1]:${port}/hook`, '{}', {});
    expect(result.error).toMatch(/^not sent: url host ::1 is a loopback address/);
    expect(server.connections).toBe(0);
  });

  it('refuses a host that resolves to loopback and to a private address, even with loopback allowed', async () => {
    const { server, port } = await serve();
    const resolve: ResolveHost = async () => ['127.0.0.1', '10.0.0.1'];
    const result = await send(true, resolve)(`http://two-faced.test:${port}/hook`, '{}', {});
    expect(result.error).toBe('not sent: url host two-faced.test resolves to 10.0.0.1, a private address (10.0.0.0/8): webhooks may only reach public addresses');
    expect(server.connections).toBe(0);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'host 169.254.169.254 is a link-local address (169.254.0.0/16)'],
    ['https://10.0.0.1/hook', 'host 10.0.0.1 is a private address (10.0.0.0/8)'],
    ['https://[::ffff:a9fe:a9fe]/hook', 'host ::ffff:a9fe:a9fe is a link-local address (169.254.0.0/16)'],
    ['https://[fd00::1]/hook', 'host fd00::1 is a private address (fc00::/7)'],
  ])('refuses %s before any connection', async (url, problem) => {
    const result = await send(true)(url, '{}', {});
    expect(result).toMatchObject({ ok: false, statusCode: null, error: `not sent: url ${problem}: webhooks may only reach public addresses` });
  });

  it('connects to the address that was checked, never to a second DNS answer', async () => {
    const { server, port } = await serve();
    // The system resolver does not know this name: the request can only arrive through the checked address.
    const resolve: ResolveHost = async (host) => (host === 'hooks.rebind.test' ? ['127.0.0.1'] : []);
    const result = await send(true, resolve)(`http://hooks.rebind.test:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(server.requests.map((r) => r.host)).toEqual([`hooks.rebind.test:${port}`]);
  });

  it('does not follow a redirect to the loopback receiver: that receiver gets zero requests', async () => {
    const target = await serve();
    const redirecting = await serve((res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/internal` }).end());
    const result = await send(true)(`http://127.0.0.1:${redirecting.port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, statusCode: 302, error: `HTTP 302: redirect to http://127.0.0.1:${target.port}/internal not followed` });
    expect(redirecting.server.requests).toHaveLength(1);
    expect(target.server.connections).toBe(0);
  });

  it('a receiver that accepts and never answers costs one attempt with a timeout', async () => {
    const { port } = await serve(() => undefined);
    const result = await createHttpSender({ timeoutMs: 200, allowLoopbackHttp: true })(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'no response within 200 ms' });
  });

  it('https goes to the checked address with certificate checks on: a self-signed receiver is refused in the handshake', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-webhook-tls-'));
    try {
      const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
      const subject = ['-subj', '/CN=hooks.pinned.test', '-addext', 'subjectAltName=DNS:hooks.pinned.test'];
      await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', ...subject]);
      let connections = 0;
      const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => res.writeHead(200).end());
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const resolve: ResolveHost = async () => ['127.0.0.1'];
      const result = await send(true, resolve)(`https://hooks.pinned.test:${port}/hook`, '{}', {});
      server.close();
      expect(result).toMatchObject({ ok: false, statusCode: null, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(connections).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
