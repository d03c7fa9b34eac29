import { resolve } from 'node:path';
import { FaztError } from '../../hal/contracts/errors.js';
import { readOwnerToken } from '../hub/owner-token-file.js';
import { type OptionSpec, UsageError } from './command.js';

/** The --hub flag, as the commands that ask a running hub declare it. */
export const HUB_OPTION: OptionSpec = { type: 'string', value: 'URL', description: "the running hub's API (default http://127.0.0.1:7070)" };
export const TOKEN_OPTION: OptionSpec = {
  type: 'string',
  value: 'TOKEN',
  description: "the owner token to call the hub with (default $FAZT_TOKEN, then the hub folder's owner.token)",
};
/** --data for a command that only calls the hub: where its owner.token is. */
const TOKEN_DATA_OPTION: OptionSpec = { type: 'string', value: 'DIR', description: 'the hub folder whose owner.token to use (default ./fazt-data)' };
/** What a command that calls the hub declares: where it is and how to find the token. */
export const HUB_OPTIONS: Record<string, OptionSpec> = { hub: HUB_OPTION, token: TOKEN_OPTION, data: TOKEN_DATA_OPTION };

/** A running hub and the owner token to call it with (none found: only open routes answer). */
export interface HubTarget {
  url: string;
  token?: string;
}

/** The --hub flag: a running hub's API (default the local one). */
export function hubUrl(values: Record<string, unknown>): string {
  const url = String(values.hub ?? 'http://127.0.0.1:7070').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--hub '${url}' is not an http(s) URL`);
  return url;
}

/**
 * The hub and its token, found in this order (README "Access: owner only"):
 * --token, $FAZT_TOKEN, the owner.token in --data DIR (default ./fazt-data,
 * where `fazt hub` and `fazt start` write it).
 */
export function hubTarget(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): HubTarget {
  const url = hubUrl(values);
  if (typeof values.token === 'string') {
    if (values.token.trim() === '') throw new UsageError('--token is empty');
    return { url, token: values.token.trim() };
  }
  if (env.FAZT_TOKEN?.trim()) return { url, token: env.FAZT_TOKEN.trim() };
  const token = readOwnerToken(resolve(typeof values.data === 'string' ? values.data : './fazt-data'));
  return token === undefined ? { url } : { url, token };
}

/**
 * Calls a running hub (`body`, when given, goes as JSON) with the target's
 * token; a hub that cannot be reached or refuses is one clear error line,
 * with the code and the path of a refused document when the hub names them.
 */
export async function callHub<T>(target: HubTarget, path: string, method: 'GET' | 'POST' = 'GET', timeoutMs = 10_000, body?: unknown): Promise<T> {
  let res: Response;
  const base = target.url;
  const headers: Record<string, string> = target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    res = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new Error(`cannot reach the hub at ${base} (${cause}): is \`fazt hub\` running there? (--hub URL)`);
  }
  const answer = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok) {
    const e = answer.error;
    const hint =
      res.status === 401 && target.token === undefined ? ' (no token found: give --token, set FAZT_TOKEN, or --data DIR of the hub for its owner.token)' : '';
    throw new FaztError(e?.code ?? 'hub-refused', `hub answered ${res.status} for ${path.split('?')[0]}: ${e?.message ?? 'no details'}${hint}`);
  }
  return answer;
}
