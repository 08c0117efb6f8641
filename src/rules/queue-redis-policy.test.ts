import { describe, expect, it } from 'vitest';
import { judgeRedis, parseRedisInfo } from './queue-redis-policy.js';

describe('judgeRedis', () => {
  it.each([
    ['noeviction', true, true, 0],
    ['noeviction', false, true, 1],
    ['noeviction', undefined, true, 0],
    [undefined, true, true, 1],
    ['allkeys-lru', true, false, 0],
    ['volatile-lru', true, false, 0],
    ['allkeys-random', false, false, 0],
    ['volatile-ttl', true, false, 0],
  ] as const)('maxmemory-policy %s, AOF %s: accepted %s with %i warnings', (policy, aof, accepted, warnings) => {
    const verdict = judgeRedis({ maxmemoryPolicy: policy, aofEnabled: aof });
    expect(verdict.ok).toBe(accepted);
    if (verdict.ok) expect(verdict.warnings).toHaveLength(warnings);
    else expect(verdict.reason).toContain(`maxmemory-policy ${policy}`);
  });
});

describe('parseRedisInfo', () => {
  it.each([
    ['# Memory\r\nused_memory:1\r\nmaxmemory_policy:noeviction\r\n# Persistence\r\naof_enabled:0\r\n', 'noeviction', false],
    ['maxmemory_policy:allkeys-lru\naof_enabled:1\n', 'allkeys-lru', true],
    ['# Server\r\nredis_version:7.0.15\r\n', undefined, undefined],
  ])('%j', (info, policy, aof) => {
    expect(parseRedisInfo(info)).toEqual({ maxmemoryPolicy: policy, aofEnabled: aof });
  });
});
