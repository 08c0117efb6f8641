import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../access/roles.js';
import { cursorOf, parseCursor } from '../../alarms/cursor.js';
import { ApiError, notFound } from '../errors.js';
import type { ApiDeps } from '../ports.js';
import { ClassCode, IdParams, parseInstant, SeverityCode } from '../schemas.js';

const ActionBody = Type.Object({
  by: Type.Optional(Type.String({ maxLength: 100, description: 'ignored (older dashboards send it): the actor recorded is the signed-in person' })),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const alarmRoutes = (deps: ApiDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/alarms',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Alarms, newest first',
        querystring: Type.Object({
          state: Type.Union([Type.Literal('open'), Type.Literal('cleared'), Type.Literal('all')], { default: 'open' }),
          class: Type.Optional(ClassCode),
          severity: Type.Optional(SeverityCode),
          rule: Type.Optional(Type.String({ maxLength: 16 })),
          customer: Type.Optional(Type.String({ maxLength: 64 })),
          meter: Type.Optional(Type.String({ maxLength: 64 })),
          from: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 or epoch ms: alarms that started at or after this instant' })),
          to: Type.Optional(Type.String({ minLength: 1, description: 'ISO-8601 or epoch ms: alarms that started before this instant' })),
          cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const after = q.cursor === undefined ? undefined : parseCursor(q.cursor);
      if (q.cursor !== undefined && !after) throw new ApiError(400, 'BAD_CURSOR', 'cursor must be a nextCursor this API returned');
      const items = await deps.alarms.list({
        state: q.state,
        classes: q.class ? [q.class] : undefined,
        severities: q.severity ? [q.severity] : undefined,
        rule: q.rule,
        customerId: q.customer,
        meterId: q.meter,
        fromMs: q.from === undefined ? undefined : parseInstant('from', q.from),
        toMs: q.to === undefined ? undefined : parseInstant('to', q.to),
        after,
        limit: q.limit,
      });
      const last = items[items.length - 1];
      return { items, nextCursor: items.length === q.limit && last ? cursorOf(last) : null };
    },
  );

  app.get('/alarms/:id', { config: { permission: 'read' }, schema: { summary: 'One alarm', params: IdParams } }, async (req) => {
    const alarm = await deps.alarms.get(req.params.id);
    if (!alarm) throw notFound('alarm', req.params.id);
    return alarm;
  });

  app.post(
    '/alarms/:id/ack',
    {
      config: { permission: 'alarms:write' },
      schema: {
        summary: 'Acknowledge an alarm',
        params: IdParams,
        body: ActionBody,
      },
    },
    async (req) => {
      const result = await deps.alarms.acknowledge(req.params.id, actorOf(req.person!), req.body.comment ?? '');
      if (!result) throw notFound('alarm', req.params.id);
      deps.onAlarmChange(result);
      return result.alarm;
    },
  );

  app.post(
    '/alarms/:id/clear',
    {
      config: { permission: 'alarms:write' },
      schema: {
        summary: 'Clear an active alarm by hand; the rule raises a new one only after the condition has recovered',
        params: IdParams,
        body: ActionBody,
      },
    },
    async (req) => {
      const result = await deps.alarms.clear(req.params.id, actorOf(req.person!), req.body.comment ?? '');
      if (!result.ok && result.reason === 'not-found') throw notFound('alarm', req.params.id);
      if (!result.ok) throw new ApiError(409, 'ALARM_NOT_ACTIVE', `alarm ${req.params.id} is already cleared`);
      deps.onAlarmChange(result.change);
      return result.change.alarm;
    },
  );

  app.get('/alarms/:id/history', { config: { permission: 'read' }, schema: { summary: 'Every transition of an alarm, oldest first', params: IdParams } }, async (req) => {
    const items = await deps.alarms.history(req.params.id);
    if (!items) throw notFound('alarm', req.params.id);
    return { items };
  });
};
