import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { allows } from '../../access/roles.js';
import { ApiError } from '../errors.js';
import type { ApiDeps } from '../ports.js';
import { actor } from './credentials.js';

const ImportQuery = Type.Object({
  credentials: Type.Optional(Type.Literal('issue', { description: 'also issue MQTT credentials to imported concentrators and direct meters that have none; the secrets are in this answer only' })),
});

/**
 * Archive import: a CSV body (text/csv), or JSON, either the rows themselves (an array or
 * {"rows": [...]}) or {"format": "csv", "text": "..."}. All or nothing; every bad row is listed.
 */
export const archiveRoutes = (deps: ApiDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.post('/archive/import', {
    config: { permission: 'archive:write' },
    schema: { summary: 'Import the customer archive (CSV or JSON), all or nothing', querystring: ImportQuery },
  }, async (req, reply) => {
    const issue = req.query.credentials === 'issue';
    // Checked before importing: an integrator may import, but only an admin may issue device secrets.
    const person = req.person!;
    if (issue && !allows(person.role, 'credentials:write')) {
      const fields = { ip: req.ip, method: req.method, route: req.routeOptions.url, person: person.id, role: person.role, permission: 'credentials:write' };
      deps.people.security('acl_denied', fields, 'an API request without the permission was refused');
      throw new ApiError(403, 'FORBIDDEN', `role ${person.role} may not credentials:write (asked for by credentials=issue)`);
    }
    const { text, format } = importBody(req.body, req.headers['content-type'] ?? '');
    const result = await deps.importArchive(text, format);
    if (!result.ok) {
      return reply.status(422).send({
        error: 'ARCHIVE_INVALID',
        message: `the archive has ${result.errors.length} error(s); nothing was imported`,
        errors: result.errors,
      });
    }
    if (!issue) return { imported: result.counts };
    const credentials = await deps.credentials.issueMissing(result.archive, actor(req));
    return reply.header('cache-control', 'no-store').send({ imported: result.counts, credentials });
  });
};

function importBody(body: unknown, contentType: string): { text: string; format: 'csv' | 'json' } {
  if (typeof body === 'string') return { text: body, format: contentType.startsWith('text/csv') ? 'csv' : 'json' };
  const wrapped = body as { format?: unknown; text?: unknown } | null;
  if (wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped) && typeof wrapped.text === 'string') {
    if (wrapped.format !== 'csv' && wrapped.format !== 'json') throw new ApiError(400, 'BAD_REQUEST', 'format must be "csv" or "json"');
    return { text: wrapped.text, format: wrapped.format };
  }
  if (body === undefined || body === null) throw new ApiError(400, 'BAD_REQUEST', 'send the archive as text/csv or as JSON');
  return { text: JSON.stringify(body), format: 'json' };
}
