import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test double of QuestDB's ILP/HTTP endpoint (POST /write) on port 0. Each request's text lines are
 * answered by respond(): 'accept' records them (204), a number is that status with no commit,
 * 'hang' never answers. Only accepted lines count as written.
 */
export type FakeAnswer = 'accept' | 'hang' | number;

export interface FakeIlpServer {
  port: number;
  /** Every line of every accepted request, in arrival order (a row written twice appears twice). */
  accepted: string[];
  /** How many POST /write requests arrived, answered or not. */
  requests: number;
  close(): Promise<void>;
}

export async function startFakeIlpServer(respond: (lines: string[], requestIndex: number) => FakeAnswer): Promise<FakeIlpServer> {
  const state = { accepted: [] as string[], requests: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/write')) {
        res.writeHead(404).end();
        return;
      }
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
      const answer = respond(lines, state.requests++);
      if (answer === 'hang') return;
      if (answer === 'accept') {
        state.accepted.push(...lines);
        res.writeHead(204).end();
        return;
      }
      // QuestDB's error body: JSON with code, message, line, errorId.
      res.writeHead(answer, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'invalid', message: `fake ${answer}`, line: 1, errorId: 'fake' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: state.accepted,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ParsedIlpLine {
  table: string;
  symbols: Record<string, string>;
  fields: Record<string, number>;
  tsNs: bigint;
}

/** Reads one ILP text line (protocol version 1) as the client writes ours: no escaped characters. */
export function parseIlpLine(line: string): ParsedIlpLine {
  const [head, fieldText, ts] = line.split(' ');
  const [table, ...symbolPairs] = head.split(',');
  const symbols = Object.fromEntries(symbolPairs.map((p) => p.split('=') as [string, string]));
  const fields = Object.fromEntries(fieldText.split(',').map((p) => {
    const [name, value] = p.split('=');
    return [name, Number(value)];
  }));
  return { table, symbols, fields, tsNs: BigInt(ts) };
}
