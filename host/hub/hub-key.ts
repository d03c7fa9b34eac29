import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64url, toBase64url, toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { generateIdentity, identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';

const HUB_KEY_FILE = 'hub-key.json';

interface KeyFile {
  id: string;
  publicKey: string;
  secretKey: { $bytes: string };
}

/** The key in the file, or undefined when there is no file. */
function read(file: string, crypto: CryptoProvider): NodeIdentity | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FaztError('hub-key', `cannot read the hub key ${file}: ${(e as Error).message}`);
  }
  let doc: KeyFile;
  try {
    doc = JSON.parse(text) as KeyFile;
  } catch (e) {
    throw new FaztError('hub-key', `the hub key ${file} is not JSON: ${(e as Error).message}`);
  }
  const secret = doc && doc.secretKey && typeof doc.secretKey.$bytes === 'string' ? fromBase64url(doc.secretKey.$bytes) : undefined;
  if (!secret || secret.length !== 32) throw new FaztError('hub-key', `${file} holds no 32-byte secretKey`);
  const identity = identityFromSecretKey(secret, crypto);
  if (doc.publicKey !== toHex(identity.publicKey)) throw new FaztError('hub-key', `${file}: publicKey does not belong to secretKey`);
  return identity;
}

/**
 * The hub's own Ed25519 identity in <data>/hub-key.json (the keygen file
 * format), created on first start with mode 0600. The file appears whole or
 * not at all: it is written and synced under a temporary name, then linked
 * into place, which also never replaces a key another start created first.
 */
export function loadOrCreateHubKey(dataDir: string, crypto: CryptoProvider, entropy: (n: number) => Uint8Array): NodeIdentity {
  const file = join(dataDir, HUB_KEY_FILE);
  const existing = read(file, crypto);
  if (existing) return existing;
  const identity = generateIdentity(entropy, crypto);
  const doc: KeyFile = { id: identity.id, publicKey: toHex(identity.publicKey), secretKey: { $bytes: toBase64url(identity.secretKey) } };
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(doc, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
  const dirFd = openSync(dataDir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  const created = read(file, crypto);
  if (!created) throw new FaztError('hub-key', `${file} vanished after it was written`);
  return created;
}
