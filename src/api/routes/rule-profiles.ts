import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../../access/roles.js';
import type { RuleProfiles } from '../../rules/profiles.js';
import { isRuleCode } from '../../rules/settings.js';
import { ApiError, notFound } from '../errors.js';
import { ClassCode, IdParams } from '../schemas.js';

// The audit's actor is the signed-in person (actorOf); `by` is still accepted from older clients and ignored.
const By = Type.Optional(Type.String({ maxLength: 100, description: 'ignored: the audit records the signed-in person' }));
// Settings are checked by validateRuleSettings after merging, so every problem is named at once, not by ajv.
const RuleChanges = Type.Record(Type.String(), Type.Unknown(), { description: 'per rule code, the settings fields to change' });
const ChangeBody = Type.Object({ by: By, rules: RuleChanges });

function invalid(reply: FastifyReply, errors: string[]) {
  return reply.status(400).send({
    error: 'INVALID_RULE_SETTINGS',
    message: `${errors.length} problem${errors.length === 1 ? '' : 's'} in the rule settings: ${errors.join('; ')}`,
    errors,
  });
}

export const ruleProfileRoutes = (deps: { ruleProfiles: RuleProfiles }): FastifyPluginAsyncTypebox => async (app) => {
  const profiles = deps.ruleProfiles;

  app.get('/rule-profiles', { config: { permission: 'read' }, schema: { summary: 'Rule settings of every customer class' } }, async () => ({ profiles: await profiles.all() }));

  app.get(
    '/rule-profiles/audit',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Changes to rule profiles and customer overrides, newest first',
        querystring: Type.Object({
          scope: Type.Optional(Type.Union([Type.Literal('class'), Type.Literal('customer')])),
          target: Type.Optional(Type.String({ maxLength: 64, description: 'class code or customer id' })),
          rule: Type.Optional(Type.String({ maxLength: 16 })),
          before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'entries older than this id' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
      },
    },
    async (req) => {
      const { scope, target, rule, before, limit } = req.query;
      const items = await profiles.audit({ scope, target, rule, beforeId: before, limit });
      return { items, next: items.length === limit ? items[items.length - 1].id : null };
    },
  );

  app.get('/rule-profiles/:class', { config: { permission: 'read' }, schema: { summary: 'Rule settings of one customer class', params: Type.Object({ class: ClassCode }) } }, async (req) => {
    const all = await profiles.all();
    return { class: req.params.class, rules: all[req.params.class] };
  });

  app.put(
    '/rule-profiles/:class',
    { config: { permission: 'rules:write' }, schema: { summary: 'Change rule settings of one class (fields per rule; tiers replace as a whole)', params: Type.Object({ class: ClassCode }), body: ChangeBody } },
    async (req, reply) => {
      const result = await profiles.updateClass(req.params.class, req.body.rules, actorOf(req.person!));
      if (!result.ok) return invalid(reply, result.errors);
      return { class: req.params.class, rules: (await profiles.all())[req.params.class] };
    },
  );

  app.get('/customers/:id/rule-overrides', { config: { permission: 'read' }, schema: { summary: "A customer's rule overrides", params: IdParams } }, async (req) => {
    const overrides = await profiles.overrides(req.params.id);
    if (!overrides) throw notFound('customer', req.params.id);
    return { customerId: req.params.id, rules: overrides };
  });

  app.put(
    '/customers/:id/rule-overrides',
    { config: { permission: 'rules:write' }, schema: { summary: "Set a customer's override of each rule named (replacing that rule's override)", params: IdParams, body: ChangeBody } },
    async (req, reply) => {
      const result = await profiles.putOverrides(req.params.id, req.body.rules, actorOf(req.person!));
      if (!result.ok) {
        if ('reason' in result) throw notFound('customer', req.params.id);
        return invalid(reply, result.errors);
      }
      return { customerId: req.params.id, rules: (await profiles.overrides(req.params.id)) ?? {} };
    },
  );

  app.delete(
    '/customers/:id/rule-overrides',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: "Remove a customer's override of one rule, or all of them",
        params: IdParams,
        querystring: Type.Object({ by: By, rule: Type.Optional(Type.String({ maxLength: 16 })) }),
      },
    },
    async (req) => {
      const { rule } = req.query;
      if (rule !== undefined && !isRuleCode(rule)) throw new ApiError(400, 'UNKNOWN_RULE', `${rule} is not a rule`);
      if (!(await profiles.overrides(req.params.id))) throw notFound('customer', req.params.id);
      const removed = await profiles.deleteOverrides(req.params.id, rule, actorOf(req.person!));
      return { customerId: req.params.id, removed };
    },
  );
};
