import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../errors.js';
import type { ApiDeps } from '../ports.js';
import { ClassCode, IdParams, SeverityCode } from '../schemas.js';

export const alarmRoutes = (deps: ApiDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/alarms',
    {
      schema: {
        summary: 'Alarms, newest first',
        querystring: Type.Object({
          state: Type.Union([Type.Literal('open'), Type.Literal('cleared'), Type.Literal('all')], { default: 'open' }),
          class: Type.Optional(ClassCode),
          severity: Type.Optional(SeverityCode),
          rule: Type.Optional(Type.String({ maxLength: 16 })),
          customer: Type.Optional(Type.String({ maxLength: 64 })),
          meter: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const items = await deps.alarms.list({
        state: q.state,
        classes: q.class ? [q.class] : undefined,
        severities: q.severity ? [q.severity] : undefined,
        rule: q.rule,
        customerId: q.customer,
        meterId: q.meter,
        limit: q.limit,
      });
      return { items };
    },
  );

  app.get('/alarms/:id', { schema: { summary: 'One alarm', params: IdParams } }, async (req) => {
    const alarm = await deps.alarms.get(req.params.id);
    if (!alarm) throw notFound('alarm', req.params.id);
    return alarm;
  });

  app.post(
    '/alarms/:id/ack',
    {
      schema: {
        summary: 'Acknowledge an alarm',
        params: IdParams,
        body: Type.Object({
          by: Type.String({ minLength: 1, maxLength: 100, default: 'dispatcher' }),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (req) => {
      const result = await deps.alarms.acknowledge(req.params.id, req.body.by, req.body.comment ?? '');
      if (!result) throw notFound('alarm', req.params.id);
      deps.onAlarmChange(result);
      return result.alarm;
    },
  );
};
