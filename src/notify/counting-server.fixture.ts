import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server for request-forgery tests: counts TCP connections, so "nothing was sent" is observed, not assumed. */
export class CountingServer {
  connections = 0;
  readonly requests: Array<{ host: string | undefined; body: string }> = [];
  private readonly server: Server;

  /** `answer` writes the response; the default is 200. */
  constructor(answer: (res: ServerResponse) => void = (res) => res.writeHead(200).end('ok')) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.requests.push({ host: req.headers.host, body });
        answer(res);
      });
    });
    this.server.on('connection', () => this.connections++);
  }

  async start(host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
