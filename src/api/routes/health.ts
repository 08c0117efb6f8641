import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../ports.js';

/** A readiness check's answer: 'ok', or why the dependency cannot be reached. */
export const probe = (check: Promise<unknown>): Promise<string> => check.then(() => 'ok', (err: Error) => `unreachable: ${err.message}`);

/** Also served by `npm run worker` (worker.ts), which has only these. */
export const healthRoutes = (deps: Pick<ApiDeps, 'ready' | 'metrics'>): FastifyPluginAsync => async (app) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = await deps.ready();
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'degraded', checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()),
  );
};
