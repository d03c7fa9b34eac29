import type { HttpReply } from '../../hal/contracts/http.js';

/**
 * A simulated node's HTTP, done by the host process on its own network (the
 * XS bridge's 'uplink' and 'http' ops, and the Node runtime): a POST, with
 * the answer as {status, body}, or {error} when the peer cannot be reached.
 */
export async function hostHttpPost(url: string, contentType: string, body: Uint8Array, timeoutMs = 10_000): Promise<HttpReply> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
  } catch (e) {
    return { error: `cannot reach ${url}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}` };
  }
}
