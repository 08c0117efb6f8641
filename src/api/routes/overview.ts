import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../errors.js';
import { dayCurves, localDay, type OverviewQueries } from '../overview.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local calendar day in UTILITY_TZ, YYYY-MM-DD' });

export interface OverviewDeps {
  overview: OverviewQueries;
  nowMs(): number;
  utilityTz: string;
}

/** The dispatcher's landing view: class load curves of one local day, and today's counts. */
export const overviewRoutes = (deps: OverviewDeps): FastifyPluginAsyncTypebox => async (app) => {
  const bounds = async (day: string) => {
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new ApiError(400, 'BAD_DAY', `day must be a calendar date YYYY-MM-DD, got ${JSON.stringify(day)}`);
    return deps.overview.dayBounds(day);
  };

  app.get(
    '/overview/load',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Summed primary kW per class and in total, per 15-minute point of one local day',
        querystring: Type.Object({ day: Day }),
      },
    },
    async (req) => {
      const { startMs, endMs } = await bounds(req.query.day);
      return { day: req.query.day, ...dayCurves(await deps.overview.classLoad(startMs, endMs), startMs, endMs) };
    },
  );

  app.get('/overview/map', { config: { permission: 'read' }, schema: { summary: 'Large customers with lat/lon and the severity of their worst open alarm' } }, async () => ({
    items: await deps.overview.mapPoints(),
  }));

  app.get(
    '/overview',
    {
      config: { permission: 'read' },
      schema: {
        summary: "Open alarms per class and severity, concentrators online/offline/unknown, today's data completeness",
        querystring: Type.Object({ day: Type.Optional(Day) }),
      },
    },
    async (req) => {
      const nowMs = deps.nowMs();
      const day = req.query.day ?? localDay(nowMs, deps.utilityTz);
      return { day, ...(await deps.overview.counts(await bounds(day), nowMs)) };
    },
  );
};
