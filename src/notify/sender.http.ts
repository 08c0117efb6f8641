/** One HTTP POST of a webhook: the outcome, never a throw. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export type SendWebhook = (url: string, body: string, headers: Record<string, string>) => Promise<SendResult>;

const ERROR_TEXT_MAX = 500;

/**
 * fetch with redirects refused (a 3xx is a failed attempt: following it would send the signed alarm to a
 * host the subscriber never registered) and a timeout, so a receiver that accepts and hangs costs one attempt.
 */
export function createHttpSender(options: { timeoutMs: number; now?: () => number }): SendWebhook {
  const now = options.now ?? (() => performance.now());
  return async (url, body, headers) => {
    const started = now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'loadwatch-webhook/1', ...headers },
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      // The body is not needed, but reading it lets the connection be reused.
      const text = await res.text().catch(() => '');
      const latencyMs = now() - started;
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, latencyMs, error: null };
      const why = res.status >= 300 && res.status < 400 ? `redirect to ${res.headers.get('location') ?? '?'} not followed` : text;
      return { ok: false, statusCode: res.status, latencyMs, error: `HTTP ${res.status}: ${why}`.slice(0, ERROR_TEXT_MAX) };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no response within ${options.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { ok: false, statusCode: null, latencyMs: now() - started, error: reason.slice(0, ERROR_TEXT_MAX) };
    }
  };
}
