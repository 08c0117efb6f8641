/** Page-wide settings. The utility's calendar zone (domain.md decision 4): days are cut here, not in the browser's zone. */
export const UTILITY_TZ = 'Asia/Shanghai';

/** Curve density (domain.md 1.3): 96 points a day. */
export const POINT_INTERVAL_MS = 15 * 60_000;

export const RANGES = /** @type {const} */ (['today', 'last24h', 'last48h']);
export const DEFAULT_RANGE = 'last24h';

/** WebSocket reconnect backoff: 1 s, 2 s, 4 s ... capped. */
export const RECONNECT_MIN_MS = 1000;
export const RECONNECT_MAX_MS = 15_000;
