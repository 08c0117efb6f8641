/**
 * Follows MQTT packet boundaries in the raw byte stream, reading only each fixed header, so a packet that
 * announces more than the limit is refused from its first bytes, before the parser has buffered its body.
 * mqtt-packet has no size limit of its own and would otherwise collect up to 256 MB per packet
 * [MQTT-2.2.3: the remaining length is a variable byte integer of at most four bytes].
 */
export type GuardVerdict = 'ok' | 'too_large' | 'malformed';

export class PacketSizeGuard {
  /** 'type': expecting a fixed header's first byte; 'length': inside its remaining length; 'body': skipping. */
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the bytes as they arrive; once it answers other than 'ok', the connection must be closed. */
  feed(chunk: Uint8Array): GuardVerdict {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skip;
        i += skip;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return 'malformed';
        continue;
      }
      if (1 + this.lengthBytes + this.length > this.maxPacketBytes) return 'too_large';
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 'type' : 'body';
    }
    return 'ok';
  }
}
