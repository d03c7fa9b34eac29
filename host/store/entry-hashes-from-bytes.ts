import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { cborHead as head, skipCborItem as skip } from './cbor-walk.js';

const ID_KEY = [0x62, 0x69, 0x64]; // "id", the first key of every entry map in deterministic order

/**
 * The hash of each entry of a bundle (host/store/bundle-format.ts), taken
 * from the bytes received instead of re-encoding each decoded entry:
 * entryHash is sha256 over the entry's map without `id` in deterministic
 * CBOR, and `id` sorts first, so that form is the map's head with one key
 * fewer followed by the bytes after the id. It equals entryHash of the
 * decoded entry only for bytes the strict decoder (firmware/codec/cbor-decode.ts)
 * accepted, which have one encoding per value: call it after decoding them.
 * Undefined when the layout is not a bundle's (bundleFromValue accepted it,
 * so that cannot happen; the caller refuses the bundle then).
 */
export function entryHashesFromBytes(bytes: Uint8Array, count: number, crypto: CryptoProvider): Uint8Array[] | undefined {
  const top = head(bytes, 0);
  if (top.major !== 4 || (top.n !== 4 && top.n !== 5)) return undefined; // the fifth: pruned ranges, after the entries
  let p = top.next;
  for (let i = 0; i < 3; i++) p = skip(bytes, p); // magic, header, checkpoints
  const list = head(bytes, p);
  if (list.major !== 4 || list.n !== count) return undefined;
  p = list.next;
  const hashes: Uint8Array[] = new Array(count);
  // One buffer for the hashed forms and one for the hashes: a page's entries cost no buffer each.
  let form = new Uint8Array(512);
  const out = new Uint8Array(32 * count);
  for (let i = 0; i < count; i++) {
    const m = head(bytes, p);
    if (m.major !== 5 || m.n < 2 || m.n > 24 || bytes[m.next] !== ID_KEY[0] || bytes[m.next + 1] !== ID_KEY[1] || bytes[m.next + 2] !== ID_KEY[2])
      return undefined;
    const afterId = skip(bytes, m.next + ID_KEY.length);
    let rest = afterId;
    for (let k = 1; k < m.n; k++) rest = skip(bytes, skip(bytes, rest));
    // The hashed form in one piece: the map's head with one key fewer, then the rest.
    const n = 1 + rest - afterId;
    if (n > form.length) form = new Uint8Array(2 * n);
    form[0] = 0xa0 | (m.n - 1);
    form.set(bytes.subarray(afterId, rest), 1);
    hashes[i] = out.subarray(32 * i, 32 * (i + 1));
    hashes[i].set(crypto.sha256(form.subarray(0, n)));
    p = rest;
  }
  return hashes;
}
