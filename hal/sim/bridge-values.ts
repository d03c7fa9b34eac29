/**
 * How argument and result values cross the XS bridge (JSON both ways, see
 * host-call.ts): bytes become {$u8: [0..255, …]} wherever they sit, so a Uint8Array
 * result, a Datagram's `bytes` and a write's argument all travel the same
 * way; arrays and plain objects are walked; undefined becomes null (a
 * proxy that must return undefined maps null back itself). No value of the
 * HAL contracts has a `$u8` key of its own. (An array of numbers, not
 * hex: the HAL has no text codecs, and JSON carries numbers natively.)
 */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

export function toWire(v: unknown): WireValue {
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return { $u8: Array.from(v) };
  if (Array.isArray(v)) return v.map(toWire);
  if (typeof v === 'object') {
    const out: { [key: string]: WireValue } = {};
    for (const k of Object.keys(v)) out[k] = toWire((v as Record<string, unknown>)[k]);
    return out;
  }
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new TypeError(`a ${typeof v} cannot cross the XS bridge`);
  return v as boolean | number | string;
}

export function fromWire(w: unknown): unknown {
  if (w === null || typeof w !== 'object') return w;
  if (Array.isArray(w)) return w.map(fromWire);
  const o = w as Record<string, unknown>;
  if (Array.isArray(o.$u8) && Object.keys(o).length === 1) return Uint8Array.from(o.$u8 as number[]);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = fromWire(o[k]);
  return out;
}
