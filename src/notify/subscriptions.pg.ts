import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/sql.js';
import type { SubscriptionStore } from './store.js';
import type { Subscription, SubscriptionFilter, SubscriptionWithSecret } from './subscription.js';

interface Row {
  id: string;
  url: string;
  secret: string;
  description: string;
  filter: SubscriptionFilter | string;
  created_at: Date | string;
  owner: string | null;
}

const COLUMNS = 'id, url, secret, description, filter, created_at, owner';

function toSubscription(r: Row): Subscription {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    filter: typeof r.filter === 'string' ? (JSON.parse(r.filter) as SubscriptionFilter) : r.filter,
    createdAt: new Date(r.created_at).toISOString(),
    owner: r.owner,
  };
}

const withSecret = (r: Row): SubscriptionWithSecret => ({ ...toSubscription(r), secret: r.secret });

export function createSubscriptionStorePg(sql: Sql): SubscriptionStore {
  return {
    async create(s) {
      const id = `sub_${randomBytes(8).toString('hex')}`;
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const res = await sql.query<Row>(
        `INSERT INTO notify_subscriptions (id, url, secret, description, filter, owner) VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING ${COLUMNS}`,
        [id, s.url, secret, s.description, JSON.stringify(s.filter), s.owner ?? null],
      );
      return withSecret(res.rows[0]);
    },
    async list() {
      const res = await sql.query<Row>(`SELECT ${COLUMNS} FROM notify_subscriptions ORDER BY created_at, id`);
      return res.rows.map(toSubscription);
    },
    async get(id) {
      const res = await sql.query<Row>(`SELECT ${COLUMNS} FROM notify_subscriptions WHERE id = $1`, [id]);
      return res.rows[0] && toSubscription(res.rows[0]);
    },
    async remove(id) {
      const res = await sql.query('DELETE FROM notify_subscriptions WHERE id = $1', [id]);
      return res.rowCount > 0;
    },
    async listWithSecrets() {
      const res = await sql.query<Row>(`SELECT ${COLUMNS} FROM notify_subscriptions ORDER BY created_at, id`);
      return res.rows.map(withSecret);
    },
  };
}
