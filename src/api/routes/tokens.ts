import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../access/roles.js';
import type { PeopleDeps } from '../auth.js';
import { notFound } from '../errors.js';

const config = { permission: 'access:write' } as const;
export const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)));
const TokenId = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) });

/** API tokens (admin): the token text is shown once, in the answer that creates it; the list never has it. */
export const tokenRoutes = (deps: PeopleDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.post(
    '/tokens',
    { config, schema: { summary: 'Create an API token; the token is shown only in this answer', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleName }) } },
    async (req, reply) => {
      const by = req.person!.id;
      const { token, info } = await deps.access.issueToken({ name: req.body.name, role: req.body.role, createdBy: by });
      deps.security('token_created', { by, tokenId: info.id, role: info.role }, 'an API token was created');
      return reply.status(201).header('cache-control', 'no-store').send({ ...info, token });
    },
  );

  app.get('/tokens', { config, schema: { summary: 'API tokens, without their secrets' } }, async () => ({ items: await deps.access.listTokens() }));

  app.delete('/tokens/:id', { config, schema: { summary: 'Revoke a token; its sessions end, and other nodes stop accepting it within seconds', params: TokenId } }, async (req, reply) => {
    if (!(await deps.access.revokeToken(req.params.id))) throw notFound('token', req.params.id);
    deps.security('revocation', { by: req.person!.id, tokenId: req.params.id }, 'an API token was revoked');
    return reply.status(204).send();
  });
};
