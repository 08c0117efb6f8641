import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError, notFound } from '../errors.js';
import { downsampleMinMax } from '../../telemetry/downsample.js';
import type { ApiDeps } from '../ports.js';
import { IdParams, Instant, KindName, parseInstant } from '../schemas.js';

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 93 * DAY_MS;

export const meterRoutes = (deps: ApiDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.get('/meters/:id', { config: { permission: 'read' }, schema: { summary: 'A meter and its customer', params: IdParams } }, async (req) => {
    const ctx = await deps.archive.getMeter(req.params.id);
    if (!ctx) throw notFound('meter', req.params.id);
    return ctx;
  });

  app.get(
    '/meters/:id/series',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'One kind of samples of a meter over a time range, in columns (primary values)',
        params: IdParams,
        querystring: Type.Object({
          kind: KindName,
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: 100_000, description: 'at most this many rows: longer series come back as min/max-preserving buckets' })),
        }),
      },
    },
    async (req) => {
      const toMs = req.query.to ? parseInstant('to', req.query.to) : Date.now() + 60_000;
      const fromMs = req.query.from ? parseInstant('from', req.query.from) : toMs - DAY_MS;
      if (fromMs >= toMs) throw new ApiError(400, 'BAD_RANGE', 'from must be before to');
      if (toMs - fromMs > MAX_RANGE_MS) throw new ApiError(400, 'BAD_RANGE', 'a series spans at most 93 days; ask for several ranges');
      if (!(await deps.archive.getMeter(req.params.id))) throw notFound('meter', req.params.id);
      const stored = await deps.telemetry.series(req.params.id, req.query.kind, fromMs, toMs);
      const series = req.query.maxPoints ? downsampleMinMax(stored, req.query.maxPoints) : stored;
      return { meterId: req.params.id, kind: req.query.kind, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), ...series };
    },
  );
};
