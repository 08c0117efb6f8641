import type { Duplex } from 'node:stream';
import { PacketSizeGuard, type GuardVerdict } from './packet-size-guard.js';

/**
 * Closes the connection as soon as a packet announces more than maxPacketBytes. aedes pulls bytes with
 * socket.read() on 'readable' (lib/client.js nextBatch), so wrapping read() on this one socket shows the guard
 * every chunk before mqtt-packet's parser buffers it; the rest of the oversized packet is never read.
 */
export function limitPacketSize(socket: Duplex, maxPacketBytes: number, onRefused: (verdict: Exclude<GuardVerdict, 'ok'>) => void): void {
  const guard = new PacketSizeGuard(maxPacketBytes);
  const read = socket.read.bind(socket);
  socket.read = (size?: number): unknown => {
    const chunk: unknown = read(size);
    if (!Buffer.isBuffer(chunk)) return chunk;
    const verdict = guard.feed(chunk);
    if (verdict === 'ok') return chunk;
    onRefused(verdict);
    socket.destroy();
    return null;
  };
}

export interface SlowConsumerLimits {
  /** Bytes waiting in the socket's send buffer above which a subscriber counts as not reading. */
  boundBytes: number;
  /** Bytes at which the connection is closed at once, however long it has been: memory stays bounded. */
  capBytes: number;
  /** How long a client may stay above boundBytes. */
  slowMs: number;
}

/**
 * Frozen subscribers. aedes holds a delivery's callback until a full socket drains, and a publish completes
 * only when every delivery has, so one client that stops reading would stall the publishers and, once the
 * emitter's concurrency slots are taken, everyone (aedes docs/Aedes.md, drainTimeout). Here a watched socket
 * always reports room: its bytes queue in its own send buffer, and a client whose buffer stays above
 * boundBytes for slowMs (or ever reaches capBytes) is disconnected; nobody else waits for it.
 */
export class SlowConsumers {
  private readonly aboveSince = new Map<Duplex, number | undefined>();

  constructor(
    private readonly limits: SlowConsumerLimits,
    private readonly onCut: (socket: Duplex, reason: 'send_buffer_cap' | 'not_reading') => void,
  ) {}

  watch(socket: Duplex): void {
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((...args: unknown[]) => {
      write(...args);
      if (socket.writableLength >= this.limits.capBytes && !socket.destroyed) this.cut(socket, 'send_buffer_cap');
      return true;
    }) as typeof socket.write;
    this.aboveSince.set(socket, undefined);
    socket.once('close', () => this.aboveSince.delete(socket));
  }

  /** Called on a timer: cuts the clients that have been above the bound for too long. */
  sweep(nowMs: number): void {
    for (const [socket, since] of this.aboveSince) {
      if (socket.writableLength <= this.limits.boundBytes) this.aboveSince.set(socket, undefined);
      else if (since === undefined) this.aboveSince.set(socket, nowMs);
      else if (nowMs - since >= this.limits.slowMs) this.cut(socket, 'not_reading');
    }
  }

  private cut(socket: Duplex, reason: 'send_buffer_cap' | 'not_reading'): void {
    this.aboveSince.delete(socket);
    this.onCut(socket, reason);
    socket.destroy();
  }
}
