/** What became of a webhook POST: `status` the last answer's, when there was one. */
export interface WebhookOutcome {
  ok: boolean;
  status?: number;
  attempts: number;
  error?: string;
}

export interface WebhookOptions {
  timeoutMs: number;
  /** How many times a failure is tried again. */
  retries: number;
  /** The wait before the first retry; each later one waits twice the one before. */
  backoffMs: number;
  /** Aborts the attempts (the hub stops). */
  signal: AbortSignal;
}

/** Only the scheme, host and port: a webhook's path or query often holds its secret, and outcomes are logged and stored. */
export function webhookTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

// 408, 425, 429 and 5xx may pass; any other answer is the receiver's final word.
const RETRYABLE = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    if (signal.aborted) return ok();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      ok();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A JSON POST with a timeout per attempt and retries with exponential
 * backoff (on no answer, 408, 425, 429 and 5xx). Never throws; error texts
 * name the failure, never the URL.
 */
export async function postWebhook(url: string, body: unknown, o: WebhookOptions): Promise<WebhookOutcome> {
  const payload = JSON.stringify(body);
  let attempts = 0;
  let last: WebhookOutcome = { ok: false, attempts: 0, error: 'not sent' };
  for (let i = 0; i <= o.retries && !o.signal.aborted; i++) {
    if (i > 0) await wait(o.backoffMs * 2 ** (i - 1), o.signal);
    if (o.signal.aborted) break;
    attempts++;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]),
      });
      await res.body?.cancel();
      last = { ok: res.status >= 200 && res.status < 300, status: res.status, attempts };
      if (last.ok || !RETRYABLE(res.status)) return last;
      last.error = `answered ${res.status}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why =
        err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : err.name === 'AbortError' ? 'the hub stopped' : (err.cause?.code ?? err.name);
      last = { ok: false, attempts, error: why };
    }
  }
  if (o.signal.aborted && last.error === undefined) last.error = 'the hub stopped';
  return { ...last, attempts: Math.max(attempts, 1) };
}
