import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  deliveryId: string;
  signature: string;
  body: string;
}

/** A webhook receiver for tests: records every request; `respond` picks the status (and a delay) per request. */
export class Receiver {
  readonly requests: Received[] = [];
  respond: (r: Received) => { status: number; delayMs?: number } = () => ({ status: 200 });
  private server: Server | undefined;

  /** A port nothing listens on yet: connections are refused until start(port). */
  static async freePort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const { port } = s.address() as AddressInfo;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
  }

  async start(port = 0): Promise<number> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = {
          deliveryId: String(req.headers['x-loadwatch-delivery']),
          signature: String(req.headers['x-loadwatch-signature']),
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(r);
        const { status, delayMs = 0 } = this.respond(r);
        setTimeout(() => res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {}).end('ok'), delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  distinctIds(): string[] {
    return [...new Set(this.requests.map((r) => r.deliveryId))].sort();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
