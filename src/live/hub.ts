import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Alarm } from '../domain/alarm.js';
import type { AnySample } from '../domain/sample.js';
import type { ArchiveLookup } from '../ingest/resolve.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { parseClientMessage, type Topics } from './messages.js';

export interface AlarmChangeMessage {
  change: string;
  alarm: Alarm;
}

export interface LiveHubOptions {
  archive: Pick<ArchiveLookup, 'get'>;
  log: Logger;
  metrics: Metrics;
  /** A client whose unsent backlog passes this is cut off rather than slowing everyone down. */
  maxBufferedBytes?: number;
  pingIntervalMs?: number;
  /** Samples for a client are gathered and sent as one `samples` message at most this often, so a page never gets more than it can draw. */
  flushIntervalMs?: number;
  /** A client whose backlog has not drained for this long is cut off too, however small the backlog. */
  maxStallMs?: number;
  /** How often an open socket's credential is checked again (at most 30 s: a revoked token must not keep a live feed). */
  recheckIntervalMs?: number;
}

/** The upgrade's check: undefined admits, a status refuses (401 no valid credential, 403 Origin or role). */
export type Admit = (req: IncomingMessage) => Promise<number | undefined>;

/** Close codes for a socket whose credential stopped resolving: 4000 + the HTTP status the upgrade would now get. */
export const CREDENTIAL_CLOSE_BASE = 4000;

interface Client {
  ws: WebSocket;
  topics: Topics;
  alive: boolean;
  /** Asked for `/ws?batch=1`: samples coalesced per flush. Others get one `sample` message each, as in protocol 1. */
  batched: boolean;
  /** Serialised samples waiting for the next flush. */
  pending: string[];
  /** Since when the socket has had unsent bytes on every send; null when it drained. */
  backlogSinceMs: number | null;
  /** The upgrade request: its cookie or Bearer token is checked again every recheck interval. */
  req: IncomingMessage;
}

type Index = Map<string, Set<Client>>;

/**
 * WebSocket fan-out of stored samples and alarm changes at /ws. Clients say what they watch
 * (meters, customers, classes, all alarms); each sample is serialised once and only when someone
 * watches it. Clients that connect to `/ws?batch=1` (the dashboard) get samples coalesced into one
 * `{"type":"samples","items":[...]}` message per flush interval; others get one `sample` message per
 * sample. Alarm changes always go out at once.
 */
export class LiveHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<Client>();
  private readonly byMeter: Index = new Map();
  private readonly byCustomer: Index = new Map();
  private readonly byClass: Index = new Map();
  private readonly allAlarms = new Set<Client>();
  private readonly maxBufferedBytes: number;
  private readonly maxStallMs: number;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly recheckTimer: NodeJS.Timeout;
  private admit: Admit | undefined;
  private rechecking = false;
  private readonly waiting = new Set<Client>();

  constructor(private readonly options: LiveHubOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.maxStallMs = options.maxStallMs ?? 15_000;
    this.pingTimer = setInterval(() => this.ping(), options.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
    this.flushTimer = setInterval(() => this.flush(), options.flushIntervalMs ?? 250);
    this.flushTimer.unref();
    this.recheckTimer = setInterval(() => void this.recheck(), Math.min(options.recheckIntervalMs ?? 30_000, 30_000));
    this.recheckTimer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * `admit` decides before the 101 (authentication, Origin): a status refuses the upgrade on the raw socket, so
   * nothing of the WebSocket protocol reaches a caller that may not use it.
   */
  attach(server: Server, admit: Admit): void {
    this.admit = admit;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      const batched = url.searchParams.get('batch') === '1';
      // A client that resets while it is being checked must not take the process down.
      socket.on('error', () => undefined);
      admit(req).then(
        (refused) => {
          if (refused === undefined) this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, batched, req));
          else refuse(socket, refused);
        },
        (err: unknown) => {
          this.options.log.error({ err }, 'WebSocket upgrade could not be checked');
          refuse(socket, 503);
        },
      );
    });
  }

  publishSamples(samples: readonly AnySample[]): void {
    if (this.clients.size === 0) return;
    // Most samples have no subscriber. While nobody follows a customer or a class, one lookup by meter rules a
    // sample out, with no archive read and no set built.
    const byArchive = this.byCustomer.size > 0 || this.byClass.size > 0;
    for (const s of samples) {
      if (!byArchive && !this.byMeter.has(s.meterId)) continue;
      const ctx = this.options.archive.get(s.meterId);
      if (!ctx) continue;
      const targets = this.collect(s.meterId, ctx.customer.id, ctx.customer.classes, false);
      if (!targets) continue;
      const text = JSON.stringify({ kind: s.kind, meterId: s.meterId, customerId: ctx.customer.id, ts: s.tsMs, values: s.values });
      let single: string | undefined;
      for (const c of targets) {
        if (!c.batched) {
          this.send(c, (single ??= `{"type":"sample",${text.slice(1)}`));
          continue;
        }
        c.pending.push(text);
        this.waiting.add(c);
      }
    }
  }

  publishAlarms(changes: readonly AlarmChangeMessage[]): void {
    if (this.clients.size === 0) return;
    for (const { change, alarm } of changes) {
      const targets = this.collect(alarm.meterId, alarm.customer.id, alarm.customer.classes, true);
      if (!targets) continue;
      const text = JSON.stringify({ type: 'alarm', change, alarm });
      for (const c of targets) this.send(c, text);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    clearInterval(this.flushTimer);
    clearInterval(this.recheckTimer);
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connected(ws: WebSocket, batched: boolean, req: IncomingMessage): void {
    const client: Client = { ws, topics: { meters: [], customers: [], classes: [], alarms: false }, alive: true, batched, pending: [], backlogSinceMs: null, req };
    this.clients.add(client);
    this.options.metrics.wsClients.set(this.clients.size);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data) => this.received(client, data.toString()));
    ws.on('close', () => this.disconnected(client));
    ws.on('error', (err) => this.options.log.debug({ err }, 'WebSocket client error'));
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, batched }));
  }

  private received(client: Client, text: string): void {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      client.ws.send(JSON.stringify({ type: 'error', error: 'BAD_MESSAGE', message: parsed.message }));
      return;
    }
    const { op, topics } = parsed.message;
    const add = op === 'subscribe';
    this.index(this.byMeter, topics.meters, client, add);
    this.index(this.byCustomer, topics.customers, client, add);
    this.index(this.byClass, topics.classes, client, add);
    if (topics.alarms) {
      if (add) this.allAlarms.add(client);
      else this.allAlarms.delete(client);
    }
    client.ws.send(JSON.stringify({ type: add ? 'subscribed' : 'unsubscribed', ...topics }));
  }

  private index(index: Index, keys: readonly string[], client: Client, add: boolean): void {
    for (const key of keys) {
      let set = index.get(key);
      if (add) {
        if (!set) index.set(key, (set = new Set()));
        set.add(client);
      } else if (set) {
        set.delete(client);
        if (set.size === 0) index.delete(key);
      }
    }
  }

  private disconnected(client: Client): void {
    this.clients.delete(client);
    this.waiting.delete(client);
    client.pending = [];
    this.allAlarms.delete(client);
    for (const index of [this.byMeter, this.byCustomer, this.byClass]) {
      for (const [key, set] of index) {
        if (set.delete(client) && set.size === 0) index.delete(key);
      }
    }
    this.options.metrics.wsClients.set(this.clients.size);
  }

  /** The clients subscribed to this meter, its customer, one of its classes or (alarm) every alarm; none: undefined. */
  private collect(meterId: string, customerId: string, classes: readonly string[], alarm: boolean): Set<Client> | undefined {
    let targets = joined(undefined, this.byMeter.get(meterId));
    targets = joined(targets, this.byCustomer.get(customerId));
    for (const cls of classes) targets = joined(targets, this.byClass.get(cls));
    return alarm ? joined(targets, this.allAlarms) : targets;
  }

  private send(client: Client, text: string): void {
    const buffered = client.ws.bufferedAmount;
    const nowMs = Date.now();
    client.backlogSinceMs = buffered === 0 ? null : (client.backlogSinceMs ?? nowMs);
    const stalledMs = client.backlogSinceMs === null ? 0 : nowMs - client.backlogSinceMs;
    if (buffered > this.maxBufferedBytes || stalledMs > this.maxStallMs) {
      // A stalled dashboard must not hold memory or slow the others; it reconnects and refills over HTTP.
      this.options.metrics.wsDropped.inc();
      this.options.log.warn({ bufferedBytes: buffered, stalledMs }, 'cutting off a WebSocket client that does not keep up');
      client.ws.terminate();
      return;
    }
    client.ws.send(text);
  }

  /** One `samples` message per waiting client; each sample was serialised once, whoever receives it. */
  private flush(): void {
    for (const c of this.waiting) {
      const items = c.pending;
      c.pending = [];
      if (items.length > 0) this.send(c, `{"type":"samples","items":[${items.join(',')}]}`);
    }
    this.waiting.clear();
  }

  /**
   * The upgrade's check again, on every open socket: a revoked token, a disabled user or an ended session
   * closes the socket (4401; the dashboard then asks /api/session and shows its login view). A check that
   * fails (database away) keeps the socket: the next period retries, rather than dropping every dashboard.
   */
  private async recheck(): Promise<void> {
    const admit = this.admit;
    if (!admit || this.rechecking || this.clients.size === 0) return;
    this.rechecking = true;
    try {
      await Promise.all([...this.clients].map(async (c) => {
        const refused = await admit(c.req).catch((err: unknown) => void this.options.log.warn({ err }, 'WebSocket credential not rechecked; kept until the next check'));
        if (refused !== undefined && this.clients.has(c)) c.ws.close(CREDENTIAL_CLOSE_BASE + refused, 'credential no longer valid');
      }));
    } finally {
      this.rechecking = false;
    }
  }

  private ping(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

function refuse(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/** targets with the clients of more added, made only once there is a client to add. */
function joined(targets: Set<Client> | undefined, more: Set<Client> | undefined): Set<Client> | undefined {
  if (!more || more.size === 0) return targets;
  const out = targets ?? new Set<Client>();
  for (const c of more) out.add(c);
  return out;
}
