import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../errors.js';
import type { ApiDeps } from '../ports.js';
import { ClassCode, IdParams } from '../schemas.js';

export const customerRoutes = (deps: ApiDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/customers',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Search the customer archive',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100, description: 'customer id, name, address or a meter id' })),
          class: Type.Optional(ClassCode),
          page: Type.Integer({ minimum: 1, default: 1 }),
          pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
        }),
      },
    },
    async (req) => {
      const { q, page, pageSize } = req.query;
      const result = await deps.archive.listCustomers({ q: q?.trim() || undefined, classes: req.query.class ? [req.query.class] : undefined, page, pageSize });
      return { ...result, page, pageSize };
    },
  );

  app.get('/customers/:id', { config: { permission: 'read' }, schema: { summary: 'A customer with its meters and open alarms', params: IdParams } }, async (req) => {
    const customer = await deps.archive.getCustomer(req.params.id);
    if (!customer) throw notFound('customer', req.params.id);
    return { ...customer, openAlarms: await deps.alarms.openForCustomer(customer.id) };
  });
};
