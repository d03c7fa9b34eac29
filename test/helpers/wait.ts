import { createServer } from 'node:net';

/** Polls `probe` until it gives a value (not undefined or false), bounded by `ms`; `context` adds detail to the timeout error. */
export async function until<T>(probe: () => T | undefined | false, what: string, ms = 3000, context?: () => unknown): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${context ? `; ${JSON.stringify(context()).slice(-1500)}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `promise`, or an error naming `what` if `ms` pass first: a bound on an event waited for, without polling. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}
