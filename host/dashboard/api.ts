/** The hub's API from the page: same-origin fetches (the session cookie goes along by itself). */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const signInListeners = new Set<Listener>();

/** Called when any request answers 401: the app shows the sign-in form. */
export function onSignInNeeded(fn: Listener): () => void {
  signInListeners.add(fn);
  return () => signInListeners.delete(fn);
}

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  if (res.status === 401) for (const fn of signInListeners) fn();
  let code = 'http';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not a JSON refusal: the status says it
  }
  throw new ApiError(res.status, code, message);
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await check(await fetch(path, { headers: { accept: 'application/json' } }));
  return (await res.json()) as T;
}

export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T | undefined> {
  const res = await check(
    await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  return res.status === 204 ? undefined : ((await res.json()) as T);
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
