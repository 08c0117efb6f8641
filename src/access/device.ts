/**
 * Devices over MQTT. Each meter and concentrator has its own credential (username = device id, the secret
 * stored only as a scrypt hash); alarm subscribers have a credential of their own kind, limited to the
 * alarm topic filters it was issued with.
 */
export type DeviceKind = 'meter' | 'concentrator' | 'subscriber';

/** Who an MQTT session belongs to, fixed at CONNECT. */
export interface DevicePrincipal {
  deviceId: string;
  kind: DeviceKind;
  /** Subscribers only: the alarm topic filters (alarms/KEY/#, ...) it may subscribe within. */
  filters: readonly string[];
  /** Changes when the credential is rotated or revoked: a live session whose version is no longer current is closed. */
  version: string;
}

/** What the broker asks; the consumer (src/broker) owns this port, src/access implements it. */
export interface DeviceAuth {
  /** The principal when a live credential matches; undefined for an unknown device, a wrong secret or a revoked credential. */
  verify(deviceId: string, secret: string): Promise<DevicePrincipal | undefined>;
  /** For mutual TLS: the principal of a device whose verified client certificate names it (CN), if it has a live credential. */
  byCertificate(deviceId: string): DevicePrincipal | undefined;
  /** False once the session's credential was revoked or rotated (checked every MQTT_REVALIDATE_S on live sessions). */
  isCurrent(principal: DevicePrincipal): boolean;
  /**
   * Reads changes made anywhere (another node's revocation) now. The broker's sweep calls it before isCurrent, so
   * a revocation reaches live sessions within one MQTT_REVALIDATE_S, not a refresh period plus a sweep period.
   */
  refresh(): Promise<void>;
}
