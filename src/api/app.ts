import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import { installAuth } from './auth.js';
import { ApiError } from './errors.js';
import type { ApiDeps } from './ports.js';
import { alarmRoutes } from './routes/alarms.js';
import { archiveRoutes } from './routes/archive.js';
import { credentialRoutes } from './routes/credentials.js';
import { customerRoutes } from './routes/customers.js';
import { healthRoutes } from './routes/health.js';
import { meterRoutes } from './routes/meters.js';
import { overviewRoutes } from './routes/overview.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { ruleProfileRoutes } from './routes/rule-profiles.js';
import { sessionRoutes } from './routes/session.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';

export type App = FastifyInstance;

/** The HTTP app, without listening: tests drive it with app.inject(), main.ts listens. */
export async function buildApp(deps: ApiDeps, log: Logger): Promise<App> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: 50 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) return reply.status(err.statusCode).send({ error: err.code, message: err.message });
    const e = err as { validation?: unknown; statusCode?: number; message: string; code?: string };
    if (e.validation) return reply.status(400).send({ error: 'BAD_REQUEST', message: e.message });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ error: e.code ?? 'BAD_REQUEST', message: e.message });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'INTERNAL', message: 'internal error; see the service log' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: 'ROUTE_NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} is not a loadwatch route` }),
  );
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Before any route: from here on an /api route without a permission stops the app from starting.
  installAuth(app, deps.people);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'loadwatch', version: '1', description: 'Telemetry ingestion and load monitoring for power utilities' },
      // What src/api/auth.ts accepts on every /api route (POST /api/session makes the cookie): /docs can then try them.
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer', description: 'an API token, lw_<id>_<secret>' },
          session: { type: 'apiKey', in: 'cookie', name: 'lw_session' },
        },
      },
      security: [{ token: [] }, { session: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyStatic, { root: deps.dashboardsDir, prefix: '/', index: 'index.html' });
  await app.register(fastifyStatic, { root: deps.uplotDir, prefix: '/vendor/uplot/', decorateReply: false });

  await app.register(healthRoutes(deps));
  await app.register(sessionRoutes(deps.people), { prefix: '/api' });
  await app.register(tokenRoutes(deps.people), { prefix: '/api' });
  await app.register(userRoutes(deps.people), { prefix: '/api' });
  await app.register(customerRoutes(deps), { prefix: '/api' });
  await app.register(meterRoutes(deps), { prefix: '/api' });
  await app.register(alarmRoutes(deps), { prefix: '/api' });
  await app.register(quarantineRoutes(deps), { prefix: '/api' });
  await app.register(archiveRoutes(deps), { prefix: '/api' });
  await app.register(credentialRoutes(deps.credentials), { prefix: '/api' });
  await app.register(ruleProfileRoutes(deps), { prefix: '/api' });
  await app.register(subscriptionRoutes(deps.notify), { prefix: '/api' });
  await app.register(overviewRoutes({ overview: deps.overview, utilityTz: deps.utilityTz, nowMs: Date.now }), { prefix: '/api' });
  return app;
}
