import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isUsername } from '../../access/credential.js';
import type { PeopleDeps } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { RoleName } from './tokens.js';

const config = { permission: 'access:write' } as const;
const Password = Type.String({ minLength: 12, maxLength: 1024, description: 'at least 12 characters' });
const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
const Strict = { additionalProperties: Type.Never() };

/** Dashboard users (admin): passwords stored as scrypt hashes; a disabled user's sessions end at once. */
export const userRoutes = (deps: PeopleDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.post(
    '/users',
    { config, schema: { summary: 'Create a dashboard user', body: Type.Object({ username: Type.String({ maxLength: 64 }), role: RoleName, password: Password }, Strict) } },
    async (req, reply) => {
      const { username, role } = req.body;
      if (!isUsername(username)) throw new ApiError(400, 'INVALID_USERNAME', 'a username is 2-64 lower-case letters, digits, ".", "_" or "-", starting with a letter, and not 16 hex digits');
      if (!(await deps.access.createUser(req.body))) throw new ApiError(409, 'USER_EXISTS', `user ${username} exists`);
      deps.security('config_change', { by: req.person!.id, user: username, role, change: 'user_created' }, 'a dashboard user was created');
      return reply.status(201).send((await deps.access.listUsers()).find((u) => u.username === username));
    },
  );

  app.get('/users', { config, schema: { summary: 'Dashboard users, without password hashes' } }, async () => ({ items: await deps.access.listUsers() }));

  app.patch(
    '/users/:username',
    {
      config,
      schema: {
        summary: "Change a user's role or password, or enable a disabled user",
        params: Username,
        body: Type.Object({ role: Type.Optional(RoleName), password: Type.Optional(Password), enabled: Type.Optional(Type.Literal(true)) }, Strict),
      },
    },
    async (req) => {
      const { role, password, enabled } = req.body;
      const user = await deps.access.updateUser(req.params.username, { role, password, enable: enabled });
      if (!user) throw notFound('user', req.params.username);
      const change = [role && 'role', password && 'password', enabled && 'enabled'].filter(Boolean).join(',');
      deps.security('config_change', { by: req.person!.id, user: user.username, role: user.role, change: `user_updated:${change}` }, 'a dashboard user was changed');
      return user;
    },
  );

  app.delete('/users/:username', { config, schema: { summary: 'Disable a user (kept for the audit); its sessions end', params: Username } }, async (req, reply) => {
    if (!(await deps.access.disableUser(req.params.username))) throw notFound('user', req.params.username);
    deps.security('revocation', { by: req.person!.id, user: req.params.username }, 'a dashboard user was disabled');
    return reply.status(204).send();
  });
};
