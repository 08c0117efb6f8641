/** Bare aedes, the broker ceiling: QoS 1 PUBACKs with an authorizePublish that says yes at once and stores nothing. */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const aedes = await Aedes.createBroker({ authorizePublish: (_client, _packet, callback) => callback(null) });
const server = createServer((socket) => aedes.handle(socket));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ ev: 'ready', port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
