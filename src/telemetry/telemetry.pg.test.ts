import { openTestDatabase, DB_FLAVOURS } from '../../test/support/db.js';
import { telemetryStoreContract } from './telemetry.contract.js';
import { createPgTelemetryStore } from './telemetry.pg.js';

for (const flavour of DB_FLAVOURS) {
  telemetryStoreContract(flavour, async () => {
    const db = await openTestDatabase(flavour);
    return { store: createPgTelemetryStore(db.sql), close: () => db.drop() };
  });
}
