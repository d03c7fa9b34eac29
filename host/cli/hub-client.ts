import { type OptionSpec, UsageError } from './command.js';

/** The --hub flag, as the commands that ask a running hub declare it. */
export const HUB_OPTION: OptionSpec = { type: 'string', value: 'URL', description: "the running hub's API (default http://127.0.0.1:7070)" };

/** The --hub flag: a running hub's API (default the local one). */
export function hubUrl(values: Record<string, unknown>): string {
  const url = String(values.hub ?? 'http://127.0.0.1:7070').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--hub '${url}' is not an http(s) URL`);
  return url;
}

/** Calls a running hub; a hub that cannot be reached or refuses is one clear error line. */
export async function callHub<T>(base: string, path: string, method: 'GET' | 'POST' = 'GET', timeoutMs = 10_000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(base + path, { method, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new Error(`cannot reach the hub at ${base} (${cause}): is \`fazt hub\` running there? (--hub URL)`);
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`hub answered ${res.status} for ${path}: ${body.error?.message ?? 'no details'}`);
  return body;
}
