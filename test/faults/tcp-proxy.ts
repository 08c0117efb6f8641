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
   * Holds what the target sends until releaseReplies(), which forwards it in one write and then passes on a
   * close of the target's side: messages the target sent apart reach the client in one read.
   */
  holdReplies(): void;
  releaseReplies(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let down = false;
  let holding = false;
  // Replies held, and whether the target closed meanwhile (one proxied connection at a time while holding).
  let held: Buffer[] = [];
  let closedWhileHeld = false;
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
    const endUnlessHeld = () => (holding ? (closedWhileHeld = true) : end());
    outbound.on('error', endUnlessHeld).on('close', endUnlessHeld);
    inbound.pipe(outbound);
    outbound.on('data', (chunk: Buffer) => (holding ? held.push(chunk) : inbound.write(chunk)));
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
      const data = Buffer.concat(held);
      held = [];
      const [pair] = [...pairs];
      if (!pair) return;
      // The client's side closes once the data is out, as the target's did; its 'close' ends the pair.
      if (closedWhileHeld) pair[0].end(data);
      else if (data.length > 0) pair[0].write(data);
      closedWhileHeld = false;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
