import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of the machine's PostgreSQL, so a test can simulate an outage of
 * the store without touching the shared server: cut() destroys every proxied connection and
 * refuses new ones until restore().
 */
export interface TcpProxy {
  port: number;
  /** Connections accepted and forwarded so far. */
  accepted(): number;
  /** Local ports of the proxy's live connections to the target (pg_stat_activity.client_port). */
  outboundPorts(): number[];
  cut(): void;
  restore(): void;
  /**
   * On connections opened from now on, what the target sends is not read until releaseReplies(): it waits in the
   * socket, its close too, and is then read and forwarded together, so messages the target sent apart reach the
   * client in one read.
   */
  holdReplies(): void;
  releaseReplies(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let down = false;
  let holding = false;
  // Connections whose target side is not read while holding (holdReplies).
  const held = new Set<[Socket, Socket]>();
  let accepted = 0;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((inbound) => {
    if (down) {
      inbound.destroy();
      return;
    }
    accepted++;
    const outbound = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound);
    if (holding) {
      outbound.pause();
      held.add(pair);
    } else outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    down = true;
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    accepted: () => accepted,
    outboundPorts: () => [...pairs].map(([, out]) => out.localPort).filter((p): p is number => p !== undefined),
    cut,
    restore() {
      down = false;
    },
    holdReplies() {
      holding = true;
    },
    releaseReplies() {
      holding = false;
      for (const [inbound, outbound] of held) outbound.pipe(inbound);
      held.clear();
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
