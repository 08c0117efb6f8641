import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Subscription } from '../../notify/subscription.js';
import type { NotifyApi } from '../../notify/service.js';
import { NOTIFY_TRANSITIONS } from '../../notify/subscription.js';
import { ApiError, notFound } from '../errors.js';
import { ClassCode, IdParams, SeverityCode } from '../schemas.js';

// Not `additionalProperties: false`: fastify's Ajv removes such keys silently, and a misspelt filter key
// dropped without a word would make a subscription that matches everything.
const Strict = { additionalProperties: Type.Never() };
const List = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Optional(Type.Array(item, { maxItems: 1000, uniqueItems: true }));

const Filter = Type.Object(
  {
    classes: List(ClassCode),
    severities: List(SeverityCode),
    rules: List(Type.String({ minLength: 1, maxLength: 16 })),
    customers: List(Type.String({ minLength: 1, maxLength: 64 })),
    transitions: List(Type.Union(NOTIFY_TRANSITIONS.map((t) => Type.Literal(t)))),
  },
  { ...Strict, description: 'absent lists match everything; without transitions: created, escalated, and cleared for MAJOR and above' },
);

const Created = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, description: 'https to a public address (private, link-local and other internal ranges are refused, docs/security.md); loopback, also over http, only when NOTIFY_ALLOW_LOOPBACK_HTTP is true' }),
    description: Type.String({ maxLength: 500, default: '' }),
    filter: Type.Optional(Filter),
  },
  Strict,
);

const DeliveryParams = Type.Object({ id: IdParams.properties.id, deliveryId: Type.String({ pattern: '^[0-9a-f]{32}$' }) });

// Admins manage every subscription; an integrator only those it created, and the others do not exist for it (404).
const config = { permission: 'subscriptions:write' } as const;
const visibleTo = (req: FastifyRequest) => (s: Subscription) => req.person?.role === 'admin' || (s.owner !== null && s.owner === req.person?.id);

export const subscriptionRoutes = (deps: NotifyApi): FastifyPluginAsyncTypebox => async (app) => {
  async function existing(req: FastifyRequest, id: string) {
    const s = await deps.getSubscription(id);
    if (!s || !visibleTo(req)(s)) throw notFound('subscription', id);
    return s;
  }

  app.post('/subscriptions', { config, schema: { summary: 'Subscribe a webhook to alarm changes; the secret is shown only in this answer', body: Created } }, async (req, reply) => {
    const result = await deps.subscribe({ url: req.body.url, description: req.body.description, filter: req.body.filter ?? {}, owner: req.person?.id });
    if (!result.ok) throw new ApiError(400, 'INVALID_WEBHOOK_URL', result.detail);
    return reply.status(201).send(result.subscription);
  });

  app.get('/subscriptions', { config, schema: { summary: 'Webhook subscriptions (without secrets)' } }, async (req) => ({
    items: (await deps.listSubscriptions()).filter(visibleTo(req)),
  }));

  app.get('/subscriptions/:id', { config, schema: { summary: 'One subscription (without its secret)', params: IdParams } }, (req) => existing(req, req.params.id));

  app.delete('/subscriptions/:id', { config, schema: { summary: 'Unsubscribe; pending deliveries are dropped', params: IdParams } }, async (req, reply) => {
    await existing(req, req.params.id);
    if (!(await deps.unsubscribe(req.params.id))) throw notFound('subscription', req.params.id);
    return reply.status(204).send();
  });

  app.get(
    '/subscriptions/:id/deliveries',
    {
      config,
      schema: {
        summary: 'Delivery log, newest first: attempts, last status code, latency and error',
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
      },
    },
    async (req) => {
      await existing(req, req.params.id);
      return { items: await deps.listDeliveries(req.params.id, req.query) };
    },
  );

  app.get('/subscriptions/:id/deliveries/:deliveryId', { config, schema: { summary: 'One delivery with every attempt', params: DeliveryParams } }, async (req) => {
    await existing(req, req.params.id);
    const delivery = await deps.getDelivery(req.params.id, req.params.deliveryId);
    if (!delivery) throw notFound('delivery', req.params.deliveryId);
    return { ...delivery, attemptLog: await deps.deliveryAttempts(delivery.id) };
  });

  app.get(
    '/subscriptions/:id/dead-letters',
    { config, schema: { summary: 'Deliveries that failed their last attempt', params: IdParams, querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }) } },
    async (req) => {
      await existing(req, req.params.id);
      return { items: await deps.listDeliveries(req.params.id, { status: 'dead', limit: req.query.limit }) };
    },
  );

  app.post('/subscriptions/:id/dead-letters/:deliveryId/retry', { config, schema: { summary: 'Send a dead letter again, with a new full retry schedule', params: DeliveryParams } }, async (req, reply) => {
    await existing(req, req.params.id);
    if (!(await deps.redeliver(req.params.id, req.params.deliveryId))) {
      throw new ApiError(404, 'DEAD_LETTER_NOT_FOUND', `subscription ${req.params.id} has no dead letter ${req.params.deliveryId}`);
    }
    return reply.status(202).send({ deliveryId: req.params.deliveryId, status: 'pending' });
  });
};
