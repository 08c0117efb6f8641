import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createDeviceAuth, type DeviceAuthService } from '../access/device-auth.js';
import { createDeviceCredentials } from '../access/credentials.js';
import { createDeviceCredentialStorePg } from '../access/devices.pg.js';
import { createLogger } from '../log.js';
import { startTestBroker, type TestBroker } from './broker.fixture.js';
import { connectMqtt } from './mqtt-clients.fixture.js';

const SWEEP_MS = 500;
/** Far longer than the test: DeviceAuth's own timer never fires, so only the sweep can bring the revocation in. */
const OWN_REFRESH_MS = 3_600_000;

describe('revocation across nodes: two brokers, each with its DeviceAuth, on one database', () => {
  let db: TestDatabase | undefined;
  const nodes: { auth: DeviceAuthService; broker: TestBroker }[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) {
      await n.broker.close();
      n.auth.close();
    }
    await db?.drop();
  });

  it("a credential revoked through node A closes the device's session on node B within B's sweep period", async () => {
    db = await openTestDatabase('postgres');
    await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'Mill', '{KEY}')`);
    await db.sql.query(`INSERT INTO meters (id, customer_id, wiring, nominal_voltage_v, values_side) VALUES ('M1', 'c1', '1P', 220, 'primary')`);
    const store = createDeviceCredentialStorePg(db.sql);
    const log = createLogger('silent');
    for (let i = 0; i < 2; i++) {
      const auth = createDeviceAuth({ store, revalidateMs: OWN_REFRESH_MS, log });
      nodes.push({ auth, broker: await startTestBroker({ deviceAuth: auth, limits: { revalidateMs: SWEEP_MS } }) });
    }
    const [a, b] = nodes;
    // Node A's API: its own DeviceAuth hears of its changes at once (as main.ts wires it).
    const credentials = createDeviceCredentials({ store, securityEvent: () => undefined, onChange: () => a.auth.refresh() });
    const issued = await credentials.issueDevice('M1', 'admin');
    if (!issued.ok) throw new Error(issued.message);

    // B learns of the new credential through its sweep too, so the device gets in there.
    let client: MqttClient | number = 4;
    for (let tries = 0; tries < 20 && typeof client === 'number'; tries++) {
      client = await connectMqtt(b.broker.url, { clientId: 'M1', username: 'M1', password: issued.secret, keepalive: 60 });
      if (typeof client === 'number') await new Promise((resolve) => setTimeout(resolve, SWEEP_MS / 2));
    }
    if (typeof client === 'number') throw new Error(`node B refused the issued credential: CONNACK ${client}`);
    const closed = new Promise<number>((resolve) => (client as MqttClient).once('close', () => resolve(Date.now())));

    const revokedAtMs = Date.now();
    expect(await credentials.revoke('M1', ['meter'], 'admin')).toMatchObject({ deviceId: 'M1' });
    const closedAtMs = await closed;
    (client as MqttClient).end(true);
    console.info(`node B closed the revoked session ${closedAtMs - revokedAtMs} ms after node A revoked it (sweep every ${SWEEP_MS} ms)`);
    expect(b.broker.events.filter((e) => e.event === 'revocation').map((e) => e.fields.deviceId)).toEqual(['M1']);
    expect(await connectMqtt(b.broker.url, { clientId: 'M1', username: 'M1', password: issued.secret, keepalive: 60 })).toBe(4);
  });
});
