import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { upgradeGate } from '../api/auth.js';
import { openTestApp, type TestApp } from '../api/routes/app.fixture.js';
import type { MeterContext } from '../domain/archive.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { LiveHub } from './hub.js';

const archive = { get: () => undefined as MeterContext | undefined };
const RECHECK_MS = 300;

/** An open socket, and the close code once the server closes it. */
async function openAs(url: string, token: string) {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const closed = new Promise<{ code: number; atMs: number }>((resolve) => ws.once('close', (code) => resolve({ code, atMs: Date.now() })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, closed };
}

describe('LiveHub: open sockets lose their feed with their credential', () => {
  let t: TestApp;
  let hub: LiveHub | undefined;
  afterEach(async () => {
    await hub?.close();
    await t?.close();
  });

  it('closes a socket with 4401 within the recheck period once its token is revoked over the API; others stay open', async () => {
    t = await openTestApp('postgres');
    await t.raw.listen({ port: 0, host: '127.0.0.1' });
    hub = new LiveHub({ archive, log: createLogger('silent'), metrics: createMetrics(), recheckIntervalMs: RECHECK_MS });
    hub.attach(t.raw.server, upgradeGate(t.people));
    const url = `ws://127.0.0.1:${(t.raw.server.address() as AddressInfo).port}/ws`;

    const viewer = await openAs(url, t.tokens.viewer);
    const admin = await openAs(url, t.tokens.admin);
    const viewerId = (await t.raw.inject({ url: '/api/session', headers: { authorization: `Bearer ${t.tokens.viewer}` } })).json().id as string;
    const revokedAtMs = Date.now();
    expect((await t.app.inject({ method: 'DELETE', url: `/api/tokens/${viewerId}` })).statusCode).toBe(204);

    const { code, atMs } = await viewer.closed;
    expect(code).toBe(4401);
    // Reported, not asserted: how long the revoked token kept its feed (one period plus the token cache at most).
    console.info(`revoked token's socket closed ${atMs - revokedAtMs} ms after the revocation (recheck every ${RECHECK_MS} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 3 * RECHECK_MS));
    expect(admin.ws.readyState).toBe(WebSocket.OPEN);
    admin.ws.close();
  });
});
