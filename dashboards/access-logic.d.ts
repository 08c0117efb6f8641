// Types for access-logic.js (plain JS for the browser, no build step), so the TypeScript tests type-check.
export function canActOnAlarms(role: string | undefined): boolean;
export function loginBody(form: { username?: string; password?: string; token?: string }): { token: string } | { username: string; password: string } | null;
export function loginFailureKey(err: { status?: number; code?: string }, how: 'token' | 'password'): string;
export function liveMaySignOut(opened: boolean, closeCode: number): boolean;
