/** Thin HTTP client for the loadwatch API. Errors carry the API's stable code. */

export class ApiError extends Error {
  /** @param {string} code @param {string} message @param {number} status */
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** @type {() => void} */
let onUnauthenticated = () => {};

/** Called when any API call answers 401 (session expired, signed out elsewhere): the page shows its login view. @param {() => void} fn */
export const whenUnauthenticated = (fn) => { onUnauthenticated = fn; };

/**
 * @param {string} path
 * @param {RequestInit} [init]
 * @param {{ authCall?: boolean }} [opts] authCall: a 401 is this call's answer (wrong credentials, not signed in), not a lost session
 */
async function request(path, init, opts) {
  let res;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  } catch (err) {
    throw new ApiError('NETWORK', err instanceof Error ? err.message : String(err), 0);
  }
  if (res.status === 401 && !opts?.authCall) onUnauthenticated();
  const text = await res.text();
  /** @type {any} */
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // A proxy or crash page is not JSON: report the status with the start of the body.
    if (!res.ok) throw new ApiError(`HTTP_${res.status}`, text.slice(0, 200), res.status);
    throw new ApiError('BAD_RESPONSE', 'response is not JSON', res.status);
  }
  if (!res.ok) {
    throw new ApiError(body?.error ?? `HTTP_${res.status}`, body?.message ?? res.statusText, res.status);
  }
  return body;
}

/** @param {Record<string, string | number | undefined>} params */
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** @param {{ q?: string, class?: string, page?: number, pageSize?: number }} params */
export const searchCustomers = (params) => request(`/api/customers${query(params)}`);

/** @param {string} id */
export const getCustomer = (id) => request(`/api/customers/${encodeURIComponent(id)}`);

/**
 * @param {string} meterId
 * @param {'load'|'voltage'|'current'|'reading'} kind
 * @param {number} fromMs
 * @param {number} toMs
 * @param {number} [maxPoints] longer series come back as min/max-preserving buckets
 * @returns {Promise<{ meterId: string, kind: string, ts: number[], values: Record<string, (number|null)[]> }>}
 */
export const getSeries = (meterId, kind, fromMs, toMs, maxPoints) =>
  request(`/api/meters/${encodeURIComponent(meterId)}/series${query({ kind, from: fromMs, to: toMs, maxPoints })}`);

/** @param {{ state?: string, class?: string, severity?: string, customer?: string, limit?: number }} params */
export const listAlarms = (params) => request(`/api/alarms${query(params)}`);

/** @param {string} id @param {string} comment */
export const ackAlarm = (id, comment) =>
  request(`/api/alarms/${encodeURIComponent(id)}/ack`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ comment }),
  });

/** @param {string} id @param {string} comment */
export const clearAlarm = (id, comment) =>
  request(`/api/alarms/${encodeURIComponent(id)}/clear`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ comment }),
  });

/** Open alarms per class and severity, concentrators, today's completeness. */
export const getOverview = () => request('/api/overview');

/** @param {string} day YYYY-MM-DD in the utility's zone @returns {Promise<{ day: string, ts: number[], total: (number|null)[], classes: Record<string, (number|null)[]> }>} */
export const getOverviewLoad = (day) => request(`/api/overview/load${query({ day })}`);

/** @returns {Promise<{ items: { id: string, name: string, classes: string[], lat: number, lon: number, worstSeverity: string|null }[] }>} */
export const getMapPoints = () => request('/api/overview/map');

/** Who is signed in; rejects with status 401 when no one is. @returns {Promise<{ id: string, role: string, via: string }>} */
export const getSession = () => request('/api/session', undefined, { authCall: true });

/** Sign in: sets the HttpOnly session cookie. @param {{ token: string } | { username: string, password: string }} body */
export const signIn = (body) => request('/api/session', {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
}, { authCall: true });

export const signOut = () => request('/api/session', { method: 'DELETE' }, { authCall: true });
