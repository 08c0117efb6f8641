import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { MAX_FILTERS } from '../../access/alarm-filters.js';
import type { DeviceCredentials, IssueOutcome } from '../../access/credentials.js';
import { ApiError } from '../errors.js';
import { IdParams } from '../schemas.js';

const STATUS = { DEVICE_NOT_FOUND: 404, DEVICE_AMBIGUOUS: 409, ID_TAKEN: 409, INVALID_FILTERS: 400 } as const;
// Reads too: who may connect and who issued it is for those who manage credentials.
const ADMIN = { permission: 'credentials:write' } as const;
// [MQTT-3.1.3-5] allows 0-9a-zA-Z for client ids everywhere; '.', '_' and '-' are accepted by every broker we use.
const SubscriberId = Type.String({ pattern: '^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$', description: 'MQTT username and client id of the subscriber' });
const SubscriberBody = Type.Object({
  id: SubscriberId,
  filters: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: MAX_FILTERS, description: 'alarms/{class}/{customer}/{meter} with + and # wildcards' }),
}, { additionalProperties: Type.Never() });

/** Who issued or revoked, for the credential row and the security event (the auth hook has set req.person on /api). */
export const actor = (req: FastifyRequest) => req.person!.id;

/** The one response that carries a secret: not to be cached anywhere on the way. */
function issued(outcome: IssueOutcome) {
  if (!outcome.ok) throw new ApiError(STATUS[outcome.code], outcome.code, outcome.message);
  return { deviceId: outcome.deviceId, kind: outcome.kind, secret: outcome.secret };
}

/**
 * MQTT credentials: meters and concentrators of the archive (username = client id = device id), and alarm
 * subscribers limited to alarm topic filters. Each secret is shown once, in the answer that issues it.
 */
export const credentialRoutes = (deps: DeviceCredentials): FastifyPluginAsyncTypebox => async (app) => {
  async function metadata(id: string, subscriber: boolean) {
    const c = await deps.get(id);
    if (!c || (c.kind === 'subscriber') !== subscriber) throw new ApiError(404, 'CREDENTIAL_NOT_FOUND', `${id} has no MQTT credential`);
    return c;
  }

  app.post('/devices/:id/credentials', {
    config: ADMIN,
    schema: { summary: 'Issue or rotate a device credential; the secret is shown only in this answer', params: IdParams },
  }, async (req, reply) => reply.status(201).header('cache-control', 'no-store').send(issued(await deps.issueDevice(req.params.id, actor(req)))));

  app.get('/devices/:id/credentials', {
    config: ADMIN,
    schema: { summary: 'A device credential without its secret', params: IdParams },
  }, (req) => metadata(req.params.id, false));

  app.delete('/devices/:id/credentials', {
    config: ADMIN,
    schema: { summary: 'Revoke a device credential; its live sessions are closed within MQTT_REVALIDATE_S', params: IdParams },
  }, async (req, reply) => {
    if (!(await deps.revoke(req.params.id, ['meter', 'concentrator'], actor(req)))) throw new ApiError(404, 'CREDENTIAL_NOT_FOUND', `${req.params.id} has no device credential`);
    return reply.status(204).send();
  });

  app.post('/mqtt-subscribers', {
    config: ADMIN,
    schema: { summary: 'Issue (or re-issue) an alarm subscriber credential; the secret is shown only in this answer', body: SubscriberBody },
  }, async (req, reply) => {
    const result = issued(await deps.issueSubscriber(req.body.id, req.body.filters, actor(req)));
    return reply.status(201).header('cache-control', 'no-store').send({ id: result.deviceId, filters: req.body.filters, secret: result.secret });
  });

  app.get('/mqtt-subscribers/:id', {
    config: ADMIN,
    schema: { summary: 'An alarm subscriber credential without its secret', params: IdParams },
  }, (req) => metadata(req.params.id, true));

  app.delete('/mqtt-subscribers/:id', {
    config: ADMIN,
    schema: { summary: 'Revoke an alarm subscriber credential', params: IdParams },
  }, async (req, reply) => {
    if (!(await deps.revoke(req.params.id, ['subscriber'], actor(req)))) throw new ApiError(404, 'CREDENTIAL_NOT_FOUND', `${req.params.id} has no subscriber credential`);
    return reply.status(204).send();
  });
};
