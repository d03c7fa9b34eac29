import { utf8Decode } from '../../firmware/codec/utf8.js';
import { cborHead } from '../store/cbor-walk.js';

/**
 * The last seq a page's header names, read without decoding the page (a
 * bounded walk of its first items), so the next page can be asked for while
 * this one is verified and stored (host/mesh/sync-round.ts). Unverified: it
 * only steers the next request; a page that lies about it is refused when
 * verified, and the next one cannot continue it. Undefined when the header
 * is not where a bundle has it.
 */
export function pageLast(bytes: Uint8Array): number | undefined {
  const top = cborHead(bytes, 0);
  if (top.major !== 4 || top.n !== 4) return undefined;
  const magic = cborHead(bytes, top.next);
  if (magic.major !== 3) return undefined;
  const header = cborHead(bytes, magic.next + magic.n);
  if (header.major !== 5 || header.n > 4) return undefined;
  let p = header.next;
  for (let i = 0; i < header.n; i++) {
    const k = cborHead(bytes, p);
    if (k.major !== 3 || k.n > 8) return undefined;
    const key = utf8Decode(bytes.subarray(k.next, k.next + k.n));
    const v = cborHead(bytes, k.next + k.n);
    if (v.major !== 0 && v.major !== 2 && v.major !== 3) return undefined; // only scalars in a header: nothing to walk into
    if (key === 'last') return Number.isSafeInteger(v.n) && v.major === 0 ? v.n : undefined;
    p = v.major === 0 ? v.next : v.next + v.n;
  }
  return undefined;
}
