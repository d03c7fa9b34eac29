import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64url, toHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { generateIdentity, identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { Cartridge } from '../store/cartridge.js';
import { StoreError } from '../store/store-error.js';

/** Where a hub kept its key before the cartridge did (the keygen file format); imported once. */
export const HUB_KEY_FILE = 'hub-key.json';
/** What hub-key.json is renamed to once the cartridge holds its key. */
export const IMPORTED_KEY_FILE = `${HUB_KEY_FILE}.imported`;

interface KeyFile {
  id: string;
  publicKey: string;
  secretKey: { $bytes: string };
}

/** The key in a hub-key.json, or undefined when there is no file. */
export function readHubKeyFile(file: string, crypto: CryptoProvider): NodeIdentity | undefined {
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

/** Renames an imported hub-key.json aside, never over an earlier one, and makes the rename durable. */
function retire(dataDir: string): void {
  let target = join(dataDir, IMPORTED_KEY_FILE);
  for (let i = 2; existsSync(target); i++) target = join(dataDir, `${IMPORTED_KEY_FILE}.${i}`);
  renameSync(join(dataDir, HUB_KEY_FILE), target);
  const dir = openSync(dataDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The cartridge now holds a secret: nobody but its owner reads it or its WAL (an existing one may have been 0644). */
function makePrivate(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const mode = statSync(f).mode & 0o777;
      if (mode & 0o077) chmodSync(f, mode & 0o700);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * The hub's own Ed25519 identity, from its cartridge (migration step 10), so
 * a restored cartridge is the same hub. On the first start of a data folder
 * made before, `<dataDir>/hub-key.json` is imported: stored in one
 * transaction, and only after that commit renamed to hub-key.json.imported
 * (kept, not removed: an older backup holds no key, and this file is then
 * its only copy). Without either, a new key is made. Refused, never
 * guessed: a hub-key.json of another hub than the cartridge's, and a
 * cartridge whose signed chain belongs to a key it does not hold (a new key
 * would make it another hub).
 */
export function loadOrCreateHubKey(
  cartridge: Cartridge,
  dataDir: string,
  crypto: CryptoProvider,
  entropy: (n: number) => Uint8Array,
  now = Date.now(),
): NodeIdentity {
  const file = join(dataDir, HUB_KEY_FILE);
  const fromFile = readHubKeyFile(file, crypto);
  const stored = cartridge.hubIdentity.key();
  if (stored) {
    const identity = identityFromSecretKey(stored.secretKey, crypto);
    if (identity.id !== stored.id) throw new FaztError('hub-key', `the cartridge's hub key does not derive hub id ${stored.id}: the cartridge is damaged`);
    if (fromFile && fromFile.id !== identity.id)
      throw new FaztError(
        'hub-key',
        `${file} holds hub ${fromFile.id}'s key, but the cartridge is hub ${identity.id}'s: move ${HUB_KEY_FILE} away (the cartridge's key is this hub's)`,
      );
    if (fromFile) retire(dataDir); // imported before, and the rename did not happen
    return identity;
  }
  const chain = cartridge.nodes('hub')[0]?.id;
  const identity = fromFile ?? generateIdentity(entropy, crypto);
  if (chain && chain !== identity.id)
    throw new FaztError(
      'hub-key',
      fromFile
        ? `${file} holds hub ${fromFile.id}'s key, but the cartridge's signed chain is hub ${chain}'s: put hub ${chain}'s ${HUB_KEY_FILE} there`
        : `the cartridge holds hub ${chain}'s signed chain but not its key, and ${dataDir} has no ${HUB_KEY_FILE}: put hub ${chain}'s ${HUB_KEY_FILE} (or ${IMPORTED_KEY_FILE}, renamed) there; a new key would make it another hub`,
    );
  try {
    cartridge.atomically(() =>
      cartridge.hubIdentity.put(
        { id: identity.id, publicKey: identity.publicKey, secretKey: identity.secretKey, origin: fromFile ? 'imported' : 'created' },
        now,
      ),
    );
  } catch (e) {
    // Another start stored a key first: that one is the hub's.
    if (e instanceof StoreError && e.code === 'exists') return loadOrCreateHubKey(cartridge, dataDir, crypto, entropy, now);
    throw e;
  }
  makePrivate(cartridge.file);
  if (fromFile) retire(dataDir);
  return identity;
}
