import { describe, expect, it } from 'vitest';
import { alarmChange } from './change.fixture.js';
import { matchesFilter } from './filter.js';
import type { SubscriptionFilter } from './subscription.js';

describe('default policy (domain.md 6.3): create and escalation always, clear only for MAJOR and above', () => {
  it.each([
    ['created', 'WARNING', true],
    ['created', 'CRITICAL', true],
    ['escalated', 'MINOR', true],
    ['deescalated', 'MINOR', false],
    ['updated', 'CRITICAL', false],
    ['acknowledged', 'CRITICAL', false],
    ['cleared', 'CRITICAL', true],
    ['cleared', 'MAJOR', true],
    ['cleared', 'MINOR', false],
    ['cleared', 'WARNING', false],
    ['cleared', 'INDETERMINATE', false],
  ] as const)('%s of a %s alarm -> %s', (change, severity, expected) => {
    expect(matchesFilter({}, alarmChange(change, { severity }))).toBe(expected);
  });
});

describe('filters', () => {
  it.each<[string, SubscriptionFilter, Parameters<typeof alarmChange>, boolean]>([
    ['explicit transitions override the policy: a MINOR clear', { transitions: ['cleared'] }, ['cleared', { severity: 'MINOR' }], true],
    ['explicit transitions: created not listed', { transitions: ['cleared', 'acknowledged'] }, ['created', {}], false],
    ['acknowledged when asked', { transitions: ['acknowledged'] }, ['acknowledged', {}], true],
    ['empty transitions list is the policy', { transitions: [] }, ['cleared', { severity: 'MINOR' }], false],
    ['class: any of the customer classes', { classes: ['KEY'] }, ['created', { classes: ['DEDICATED', 'KEY'] }], true],
    ['class not held', { classes: ['RESIDENTIAL'] }, ['created', { classes: ['KEY'] }], false],
    ['class filter, customer without classes', { classes: ['KEY'] }, ['created', { classes: [] }], false],
    ['severity listed', { severities: ['CRITICAL', 'MAJOR'] }, ['created', { severity: 'MAJOR' }], true],
    ['severity not listed', { severities: ['CRITICAL'] }, ['created', { severity: 'MAJOR' }], false],
    ['rule listed', { rules: ['V1', 'O1'] }, ['created', { rule: 'O1' }], true],
    ['rule not listed', { rules: ['V1'] }, ['created', { rule: 'O1' }], false],
    ['customer listed', { customers: ['C001'] }, ['created', { customerId: 'C001' }], true],
    ['customer not listed', { customers: ['C002'] }, ['created', { customerId: 'C001' }], false],
    ['every list must match', { rules: ['O1'], severities: ['CRITICAL'] }, ['created', { rule: 'O1', severity: 'MAJOR' }], false],
  ])('%s', (_name, filter, args, expected) => {
    expect(matchesFilter(filter, alarmChange(...args))).toBe(expected);
  });
});
