import { describe, expect, it } from 'vitest';
import { allows, isRole, ROLES, type Permission, type Role } from './roles.js';

const PERMISSIONS: Permission[] = ['read', 'alarms:write', 'archive:write', 'rules:write', 'credentials:write', 'subscriptions:write', 'access:write'];

// The table: admin everything; dispatcher acknowledges and clears; viewer reads; integrator imports and manages its own subscriptions.
const EXPECTED: Record<Role, Permission[]> = {
  admin: PERMISSIONS,
  dispatcher: ['read', 'alarms:write'],
  viewer: ['read'],
  integrator: ['read', 'archive:write', 'subscriptions:write'],
};

describe('roles', () => {
  const cases = ROLES.flatMap((role) => PERMISSIONS.map((p) => [role, p, EXPECTED[role].includes(p)] as const));
  it.each(cases)('%s may %s: %s', (role, permission, expected) => {
    expect(allows(role, permission)).toBe(expected);
  });

  it.each([
    ['admin', true],
    ['viewer', true],
    ['root', false],
    ['Admin', false],
    ['', false],
  ])('isRole(%j) is %s', (value, expected) => {
    expect(isRole(value)).toBe(expected);
  });
});
