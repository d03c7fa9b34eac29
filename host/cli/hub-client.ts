import { FaztError } from '../../hal/contracts/errors.js';
import { type OptionSpec, UsageError } from './command.js';

/** The --hub flag, as the commands that ask a running hub declare it. */
export const HUB_OPTION: OptionSpec = { type: 'string', value: 'URL', description: "the running hub's API (default http://127.0.0.1:7070)" };

/** The --hub flag: a running hub's API (default the local one). */
export function hubUrl(values: Record<string, unknown>): string {
  const url = String(values.hub ?? 'http://127.0.0.1:7070').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--hub '${url}' is not an http(s) URL`);
  return url;
}

/**
 * Calls a running hub (`body`, when given, goes as JSON); a hub that cannot
 * be reached or refuses is one clear error line, with the code and the path
 * of a refused document when the hub names them.
 */
export async function callHub<T>(base: string, path: string, method: 'GET' | 'POST' = 'GET', timeoutMs = 10_000, body?: unknown): Promise<T> {
  let res: Response;
  const payload = body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  try {
    res = await fetch(base + path, { method, signal: AbortSignal.timeout(timeoutMs), ...payload });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new Error(`cannot reach the hub at ${base} (${cause}): is \`fazt hub\` running there? (--hub URL)`);
  }
  const answer = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok) {
    const e = answer.error;
    throw new FaztError(e?.code ?? 'hub-refused', `hub answered ${res.status} for ${path.split('?')[0]}: ${e?.message ?? 'no details'}`);
  }
  return answer;
}
