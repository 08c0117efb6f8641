import { addressesProblem, parseWebhookUrl } from './webhook-url.js';

/** Every address a host name stands for; an IP literal is its own answer. Rejects when it does not resolve. */
export type ResolveHost = (host: string) => Promise<string[]>;

/** A URL that passed the request-forgery check, with the address that was checked: connect to that one only. */
export type WebhookTarget = { ok: true; url: URL; address: string } | { ok: false; problem: string };

export interface TargetPolicy {
  allowLoopbackHttp: boolean;
  resolve: ResolveHost;
}

/**
 * The whole check, at registration and again before each send (DNS may have changed in between): the
 * URL's form, then every address its host resolves to. The problem reads after the word "url".
 */
export async function checkWebhookUrl(text: string, policy: TargetPolicy): Promise<WebhookTarget> {
  const parsed = parseWebhookUrl(text);
  if (!parsed.ok) return parsed;
  let addresses: string[];
  try {
    addresses = await policy.resolve(parsed.host);
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    return { ok: false, problem: `host ${parsed.host} does not resolve (${code})` };
  }
  const problem = addressesProblem(parsed, addresses, policy.allowLoopbackHttp);
  if (problem) return { ok: false, problem };
  return { ok: true, url: parsed.url, address: addresses[0]! };
}
