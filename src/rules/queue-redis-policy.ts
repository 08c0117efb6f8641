/** What loadwatch needs to know about a Redis server before trusting it with rule jobs. */
export interface RedisServerFacts {
  /** INFO memory maxmemory_policy; undefined when the server does not report it. */
  maxmemoryPolicy: string | undefined;
  /** INFO persistence aof_enabled; undefined when not reported. */
  aofEnabled: boolean | undefined;
}

export type RedisVerdict = { ok: false; reason: string } | { ok: true; warnings: string[] };

/**
 * BullMQ keeps jobs as ordinary keys: a server that evicts keys under memory pressure drops queued samples
 * without an error, so anything but noeviction is refused (docs.bullmq.io "Going to production").
 * Without AOF a Redis restart loses what was queued since the last RDB snapshot: allowed, but warned about.
 */
export function judgeRedis(facts: RedisServerFacts): RedisVerdict {
  if (facts.maxmemoryPolicy !== undefined && facts.maxmemoryPolicy !== 'noeviction') {
    return {
      ok: false,
      reason: `Redis has maxmemory-policy ${facts.maxmemoryPolicy}, which can evict queued rule jobs; set maxmemory-policy noeviction`,
    };
  }
  const warnings: string[] = [];
  if (facts.maxmemoryPolicy === undefined) warnings.push('Redis does not report maxmemory-policy; make sure it is noeviction');
  if (facts.aofEnabled === false) warnings.push('Redis runs without AOF (appendonly no): a Redis restart loses jobs queued since the last snapshot');
  return { ok: true, warnings };
}

/** The facts from the text of INFO (any sections); fields it lacks stay undefined. */
export function parseRedisInfo(info: string): RedisServerFacts {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const aof = fields.get('aof_enabled');
  return { maxmemoryPolicy: fields.get('maxmemory_policy'), aofEnabled: aof === undefined ? undefined : aof === '1' };
}
