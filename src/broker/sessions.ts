import type { Client } from 'aedes';
import type { SessionPrincipal } from './topic-acl.js';

export interface Session {
  principal: SessionPrincipal;
  ip: string;
}

/** Who each connected client is, fixed at CONNECT; a client without one is refused everything (fail closed). */
export class Sessions {
  private readonly byClient = new WeakMap<Client, Session>();

  set(client: Client, session: Session): void {
    this.byClient.set(client, session);
  }

  get(client: Client | null): Session | undefined {
    return client ? this.byClient.get(client) : undefined;
  }

  /** A revoked session may do nothing more, not even publish its will while it closes. */
  end(client: Client): void {
    this.byClient.delete(client);
  }
}

export function remoteIp(client: Client): string {
  return (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
}

/** For logs and events: the device and its kind, or 'anonymous'. */
export function sessionFields(session: Session | undefined, client: Client | null): Record<string, unknown> {
  const principal = session?.principal;
  if (!principal || principal === 'anonymous') return { clientId: client?.id, ip: session?.ip, kind: principal ?? 'none' };
  return { clientId: client?.id, deviceId: principal.deviceId, kind: principal.kind, ip: session?.ip };
}
