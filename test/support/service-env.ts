import { TEST_DATABASE_URL } from './db.js';

/** A test service's own corner: any free port on loopback for HTTP and MQTT, and its own data directory. */
export function loopbackEnv(dataDir: string): Record<string, string> {
  return { HTTP_PORT: '0', MQTT_PORT: '0', HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', DATA_DIR: dataDir };
}

/** Its tables in their own schema of the machine's PostgreSQL (or of the server at `url`). */
export function schemaEnv(schema: string, url = TEST_DATABASE_URL): Record<string, string> {
  return { DATABASE_URL: url, DATABASE_SCHEMA: schema };
}
