import { resolve } from 'node:path';
import { FaztError } from '../../hal/contracts/errors.js';
import { type CertFingerprint, parseFingerprint } from '../crypto/cert-fingerprint.js';
import { pinnedFetch } from '../crypto/pinned-fetch.js';
import { readOwnerToken } from '../hub/owner-token-file.js';
import { isLoopback } from '../hub/tls/loopback.js';
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
/** The --fingerprint flag beside --hub https://…: the hub's certificate, as `fazt hub` prints it. */
export const FINGERPRINT_OPTION: OptionSpec = {
  type: 'string',
  value: 'sha256:HEX',
  description: 'with an https --hub: trust only the certificate with this fingerprint, as fazt hub prints it',
};
/**
 * What a command that asks the hub with the owner's token declares (askHub
 * reads them): where the hub is, the certificate to trust, how to find the
 * token, and --json for the answer as the hub gave it.
 */
export const HUB_OPTIONS: Record<string, OptionSpec> = {
  hub: HUB_OPTION,
  fingerprint: FINGERPRINT_OPTION,
  token: TOKEN_OPTION,
  data: TOKEN_DATA_OPTION,
  json: { type: 'boolean', description: "print the hub's answer as JSON" },
};

/**
 * A running hub: its URL, for https the fingerprint of the certificate to
 * trust, and the owner token to call it with (none found: only open routes answer).
 */
export interface HubTarget {
  url: string;
  fingerprint?: CertFingerprint;
  token?: string;
}

/** The --hub flag: a running hub's API (default the local one). */
export function hubUrl(values: Record<string, unknown>): string {
  const url = String(values.hub ?? 'http://127.0.0.1:7070').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--hub '${url}' is not an http(s) URL`);
  return url;
}

/**
 * --hub with --fingerprint (which needs an https --hub), and the token found
 * in this order (README "Access: owner only"): --token, $FAZT_TOKEN, the
 * owner.token in --data DIR (default ./fazt-data, where `fazt hub` and
 * `fazt start` write it).
 */
export function hubTarget(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): HubTarget {
  const url = hubUrl(values);
  const target: HubTarget = { url };
  if (values.fingerprint !== undefined) {
    if (!url.startsWith('https://')) throw new UsageError(`--fingerprint pins the hub's HTTPS certificate: give --hub https://…, not ${url}`);
    try {
      target.fingerprint = parseFingerprint(String(values.fingerprint), '--fingerprint');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (typeof values.token === 'string') {
    if (values.token.trim() === '') throw new UsageError('--token is empty');
    target.token = values.token.trim();
  } else if (env.FAZT_TOKEN?.trim()) {
    target.token = env.FAZT_TOKEN.trim();
  } else {
    const token = readOwnerToken(resolve(typeof values.data === 'string' ? values.data : './fazt-data'));
    if (token !== undefined) target.token = token;
  }
  return target;
}

function reach(target: HubTarget, path: string, init: RequestInit & { body?: string; headers: Record<string, string> }): Promise<Response> {
  const { method, signal, body, headers } = init;
  return target.fingerprint
    ? pinnedFetch(target.url + path, { method, headers, body, signal: signal ?? undefined }, target.fingerprint)
    : fetch(target.url + path, init);
}

/**
 * Whether a token may go to this hub: over HTTPS, or over plain HTTP only to
 * this machine. A plain-HTTP hub on the LAN would refuse it anyway
 * (https-required), but by then anyone on the Wi-Fi has read it.
 */
export function tokenTravels(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || isLoopback(u.hostname);
}

/** Why a hub could not be reached, in a line that says what to do. */
function unreachable(base: string, e: unknown): Error {
  if (e instanceof FaztError) return e; // a certificate that is not the pinned one says so itself
  const code = (e as { cause?: { code?: string }; code?: string }).cause?.code ?? (e as { code?: string }).code;
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return new Error(`the hub at ${base} has a self-signed certificate: pass --fingerprint sha256:… (fazt hub prints it) to trust it`);
  return new Error(`cannot reach the hub at ${base} (${code ?? (e as Error).message}): is \`fazt hub\` running there? (--hub URL)`);
}

/** One call to a hub: GET, unless a method is named or a body (sent as JSON) makes it a POST; 10 s unless a timeout is given. */
export interface HubCall {
  method?: 'GET' | 'POST';
  body?: unknown;
  timeoutMs?: number;
}

/**
 * Calls a running hub with the target's token; a hub that cannot be reached
 * or refuses is one clear error line, with the code and the path of a
 * refused document when the hub names them.
 */
export async function callHub<T>(target: HubTarget, path: string, call: HubCall = {}): Promise<T> {
  const { body, timeoutMs = 10_000 } = call;
  const method = call.method ?? (body === undefined ? 'GET' : 'POST');
  let res: Response;
  const carry = target.token !== undefined && tokenTravels(target.url);
  const headers: Record<string, string> = carry ? { authorization: `Bearer ${target.token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    res = await reach(target, path, { method, headers, signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (e) {
    throw unreachable(target.url, e);
  }
  const answer = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok) {
    const e = answer.error;
    const hint =
      res.status === 401 && target.token === undefined
        ? ' (no token found: give --token, set FAZT_TOKEN, or --data DIR of the hub for its owner.token)'
        : target.token !== undefined && !carry
          ? ' (the token was not sent: it goes only over HTTPS or to this machine; give --hub https://… --fingerprint sha256:…)'
          : '';
    throw new FaztError(e?.code ?? 'hub-refused', `hub answered ${res.status} for ${path.split('?')[0]}: ${e?.message ?? 'no details'}${hint}`);
  }
  return answer;
}

/** Calls the hub a command's flags name (--hub, --fingerprint and the token, found as hubTarget says): what most commands that ask a hub do. */
export function askHub<T>(values: Record<string, unknown>, path: string, call?: HubCall): Promise<T> {
  return callHub<T>(hubTarget(values), path, call);
}
