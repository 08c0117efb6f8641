import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { resolveHostDns } from './resolve-host.dns.js';
import { checkWebhookUrl, type ResolveHost } from './webhook-target.js';

/** One HTTP POST of a webhook: the outcome, never a throw. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export type SendWebhook = (url: string, body: string, headers: Record<string, string>) => Promise<SendResult>;

export interface HttpSenderOptions {
  timeoutMs: number;
  /** NOTIFY_ALLOW_LOOPBACK_HTTP: loopback receivers (tests only). */
  allowLoopbackHttp: boolean;
  resolve?: ResolveHost;
  /** Told each time a URL is refused before sending (a security event). */
  onRefused?: (problem: string) => void;
  now?: () => number;
}

const ERROR_TEXT_MAX = 500;

/**
 * The connection goes to the address that was checked, never to a second DNS answer: without this a host
 * could resolve to a public address for the check and to 127.0.0.1 for the connect (DNS rebinding).
 */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_host, options, callback) => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family));
}

interface Answer {
  status: number;
  location: string | undefined;
  /** The start of the body, for the delivery log. */
  text: string;
}

function post(url: URL, address: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: pinnedLookup(address) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      // The whole body is read (so the connection can be reused) but only its start is kept.
      res.on('data', (chunk: string) => (text = text.length < ERROR_TEXT_MAX ? text + chunk : text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text }));
      res.on('error', reject);
    });
    // One deadline for connect, request and response, so a receiver that accepts and hangs costs one attempt.
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs a webhook after checking its URL again (webhook-target.ts), to the checked address only. Redirects
 * are refused (a 3xx is a failed attempt: following it would send the signed alarm to a host the subscriber
 * never registered, and past the request-forgery check).
 */
export function createHttpSender(options: HttpSenderOptions): SendWebhook {
  const now = options.now ?? (() => performance.now());
  const policy = { allowLoopbackHttp: options.allowLoopbackHttp, resolve: options.resolve ?? resolveHostDns };
  return async (url, body, headers) => {
    const started = now();
    const target = await checkWebhookUrl(url, policy);
    if (!target.ok) {
      options.onRefused?.(target.problem);
      return { ok: false, statusCode: null, latencyMs: now() - started, error: `not sent: url ${target.problem}`.slice(0, ERROR_TEXT_MAX) };
    }
    const allHeaders = { 'content-type': 'application/json', 'user-agent': 'loadwatch-webhook/1', ...headers };
    try {
      const res = await post(target.url, target.address, body, allHeaders, options.timeoutMs);
      const latencyMs = now() - started;
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, latencyMs, error: null };
      const why = res.status >= 300 && res.status < 400 ? `redirect to ${res.location ?? '?'} not followed` : res.text;
      return { ok: false, statusCode: res.status, latencyMs, error: `HTTP ${res.status}: ${why}`.slice(0, ERROR_TEXT_MAX) };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason = e.code === 'TIMEOUT' ? e.message : (e.code ?? e.message);
      return { ok: false, statusCode: null, latencyMs: now() - started, error: reason.slice(0, ERROR_TEXT_MAX) };
    }
  };
}
