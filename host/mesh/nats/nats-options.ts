import { readFileSync } from 'node:fs';
import { fromSeed } from '@nats-io/nkeys';

/**
 * How a hub reaches the NATS server its mesh runs over (`fazt hub --mesh-nats`).
 * Secrets are only ever read from files, so they stay out of argv, the
 * shell's history and every log line and error (which name the file only).
 */
export interface MeshNatsOptions {
  /** nats://host:port or tls://host:port (a comma-separated list for a cluster). */
  url: string;
  /** A user with a password: the user's name and the file holding its password. */
  user?: string;
  passwordFile?: string;
  /** An nkey user: the file holding its seed (SU…). */
  nkeyFile?: string;
  /** The JetStream stream every hub of the mesh shares (default FAZT_MESH). */
  stream?: string;
  /** Its subjects: `<prefix>.<node>` (default fazt.mesh). */
  prefix?: string;
}

export const DEFAULT_STREAM = 'FAZT_MESH';
export const DEFAULT_PREFIX = 'fazt.mesh';

/** A password user or an nkey user's seed, read from its file. */
type NatsCredentials = { user: string; password: string } | { seed: Uint8Array };

/** The checked options with the credentials read: what MeshNats connects with. */
export interface ResolvedNats {
  servers: string[];
  stream: string;
  prefix: string;
  credentials?: NatsCredentials;
  /** Who the hub authenticates as, for messages: a user name or an nkey's public key, never a secret. */
  as: string;
}

const SERVER = /^(nats|tls):\/\/[^\s/@]+:\d{1,5}$/;
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Checks the options and reads the credential files; TypeError/RangeError naming the option at fault, never showing a secret. */
export function resolveMeshNats(o: MeshNatsOptions): ResolvedNats {
  if (typeof o.url !== 'string' || o.url === '') throw new TypeError('meshNats.url must be a nats:// URL (e.g. nats://127.0.0.1:4222)');
  const servers = o.url.split(',').map((s) => s.trim());
  for (const s of servers) {
    if (!SERVER.test(s))
      throw new RangeError(
        `meshNats.url '${s.replace(/\/\/[^@/]*@/, '//…@')}' is not nats://HOST:PORT or tls://HOST:PORT (credentials go in files, not the URL)`,
      );
  }
  const stream = o.stream ?? DEFAULT_STREAM;
  if (!TOKEN.test(stream)) throw new RangeError(`meshNats.stream '${stream}' may hold only letters, digits, _ and -`);
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  if (!prefix.split('.').every((t) => TOKEN.test(t)))
    throw new RangeError(`meshNats.prefix '${prefix}' is not dot-separated tokens of letters, digits, _ and -`);
  if (o.nkeyFile !== undefined && (o.user !== undefined || o.passwordFile !== undefined))
    throw new TypeError('meshNats takes either user and passwordFile or nkeyFile, not both');
  if ((o.user === undefined) !== (o.passwordFile === undefined))
    throw new TypeError('meshNats.user and meshNats.passwordFile go together: give both or neither');
  if (o.user !== undefined && o.passwordFile !== undefined) {
    if (typeof o.user !== 'string' || o.user === '') throw new TypeError('meshNats.user must be a non-empty name');
    const password = secretFrom(o.passwordFile, 'password');
    return { servers, stream, prefix, credentials: { user: o.user, password }, as: `user '${o.user}'` };
  }
  if (o.nkeyFile !== undefined) {
    const seed = new TextEncoder().encode(secretFrom(o.nkeyFile, 'nkey seed'));
    let pub: string;
    try {
      pub = fromSeed(seed).getPublicKey();
    } catch {
      throw new RangeError(`the NATS nkey file ${o.nkeyFile} does not hold an nkey seed (one line starting with SU)`);
    }
    if (!pub.startsWith('U')) throw new RangeError(`the NATS nkey file ${o.nkeyFile} holds a seed, but not a user's (SU…)`);
    return { servers, stream, prefix, credentials: { seed }, as: `nkey ${pub}` };
  }
  return { servers, stream, prefix, as: 'no credentials' };
}

/** The first line of a secret file, trimmed; errors name the file, never its content. */
function secretFrom(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TypeError(`the NATS ${what} file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const line = text.split('\n')[0].trim();
  if (line === '') throw new RangeError(`the NATS ${what} file ${file} is empty`);
  return line;
}
