/**
 * WebSocket client for /ws?batch=1 (samples arrive coalesced, a few messages a second whatever the
 * rate): keeps the wanted subscriptions, reconnects with exponential backoff
 * and re-subscribes. The link is 'live' once the server has confirmed the subscription: after a reconnect
 * `onReconnect` fires then, so views refill from HTTP (samples pushed while the socket was down are not
 * replayed by the server), and every sample stored after the refill's query is pushed.
 * The upgrade needs the session cookie: a socket that closes without ever opening may be a 401, and the
 * server closes an open one with 4401 once its credential is revoked, so the page then asks `isSignedIn`;
 * when not, the link stops (`onSignedOut`) until `resume()` after the next sign-in.
 */
import { liveMaySignOut } from './access-logic.js';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS } from './config.js';

/**
 * @typedef {{ meters?: string[], customers?: string[], classes?: string[], alarms?: boolean }} Subscription
 * @typedef {{ state: 'connecting' } | { state: 'live' } | { state: 'reconnecting', inMs: number } | { state: 'signed-out' }} LiveStatus
 * @typedef {{
 *   onSamples?: (msgs: any[]) => void, onAlarm?: (msg: any) => void,
 *   onStatus?: (s: LiveStatus) => void, onReconnect?: () => void,
 *   isSignedIn?: () => Promise<boolean>, onSignedOut?: () => void,
 * }} LiveHandlers
 */

/** Delay before attempt n (0-based): 1 s, 2 s, 4 s ... at most 15 s. @param {number} attempt */
export const backoffMs = (attempt) => Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** attempt);

/** @param {LiveHandlers} handlers */
export function connectLive(handlers) {
  const wanted = { meters: new Set(), customers: new Set(), classes: new Set(), alarms: false };
  /** @type {WebSocket | null} */
  let ws = null;
  let attempt = 0;
  let everOpened = false;
  /** Paused (signed out) or closed: no socket, no reconnect. */
  let closed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  /** @param {object} msg */
  const send = (msg) => { if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); };

  const open = () => {
    handlers.onStatus?.({ state: 'connecting' });
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?batch=1`;
    const socket = new WebSocket(url);
    ws = socket;
    let opened = false;
    /** Until the server confirms the socket's first subscribe: a refill begun earlier could miss a sample stored meanwhile. */
    let confirming = false;
    socket.onopen = () => {
      opened = true;
      confirming = true;
      attempt = 0;
      send({
        op: 'subscribe', meters: [...wanted.meters], customers: [...wanted.customers],
        classes: [...wanted.classes], alarms: wanted.alarms,
      });
    };
    socket.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      // The server answers in order, so the first confirmation is that of the subscribe sent on open.
      if (msg.type === 'subscribed' && confirming) {
        confirming = false;
        handlers.onStatus?.({ state: 'live' });
        if (everOpened) handlers.onReconnect?.();
        everOpened = true;
      } else if (msg.type === 'samples') handlers.onSamples?.(msg.items);
      else if (msg.type === 'sample') handlers.onSamples?.([msg]);
      else if (msg.type === 'alarm') handlers.onAlarm?.(msg);
    };
    socket.onclose = async (ev) => {
      if (closed || ws !== socket) return;
      if (liveMaySignOut(opened, ev.code) && handlers.isSignedIn && !(await handlers.isSignedIn())) {
        if (closed || ws !== socket) return;
        closed = true;
        handlers.onStatus?.({ state: 'signed-out' });
        handlers.onSignedOut?.();
        return;
      }
      if (closed || ws !== socket) return;
      const inMs = backoffMs(attempt++);
      handlers.onStatus?.({ state: 'reconnecting', inMs });
      timer = setTimeout(open, inMs);
    };
  };

  open();

  return {
    /** @param {Subscription} sub */
    subscribe(sub) {
      sub.meters?.forEach((m) => wanted.meters.add(m));
      sub.customers?.forEach((c) => wanted.customers.add(c));
      sub.classes?.forEach((c) => wanted.classes.add(c));
      if (sub.alarms) wanted.alarms = true;
      send({ op: 'subscribe', ...sub });
    },
    /** @param {Subscription} sub */
    unsubscribe(sub) {
      sub.meters?.forEach((m) => wanted.meters.delete(m));
      sub.customers?.forEach((c) => wanted.customers.delete(c));
      sub.classes?.forEach((c) => wanted.classes.delete(c));
      if (sub.alarms) wanted.alarms = false;
      send({ op: 'unsubscribe', ...sub });
    },
    /** Drop the current connection as a network failure would (backoff, re-subscribe, refill). For tests and the console. */
    drop() { ws?.close(); },
    /** Signed out: close and stay closed. */
    pause() {
      closed = true;
      clearTimeout(timer);
      ws?.close();
      ws = null;
      handlers.onStatus?.({ state: 'signed-out' });
    },
    /** Signed in again: reconnect now; the open fires onReconnect, which refills every view. */
    resume() {
      if (!closed) return;
      closed = false;
      attempt = 0;
      open();
    },
  };
}
