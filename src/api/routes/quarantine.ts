import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../ports.js';

export const quarantineRoutes = (deps: ApiDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/quarantine',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Messages and records that could not be accepted, newest first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          reason: Type.Optional(Type.String({ maxLength: 40 })),
          meter: Type.Optional(Type.String({ maxLength: 64 })),
        }),
      },
    },
    async (req) => ({ items: await deps.quarantine.list({ limit: req.query.limit, reason: req.query.reason, meterId: req.query.meter }) }),
  );
};
