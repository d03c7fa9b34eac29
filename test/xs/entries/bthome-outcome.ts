/**
 * What parsing BTHome bytes gives, as plain JSON (bytes as hex, errors as
 * name/code/message): computed the same way on Node (test/xs/xs-bthome.test.ts)
 * and inside XS (bthome-entry.ts), so the two can be compared whole.
 */
import { type BthomeParseOptions, parseBthome } from '../../../firmware/ble/bthome.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';

export function bthomeOutcome(hex: string, o: BthomeParseOptions = {}): unknown {
  try {
    const p = parseBthome(fromHex(hex), o);
    return JSON.parse(JSON.stringify(p, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)));
  } catch (e) {
    const err = e as { name: string; code?: string; message: string };
    return { name: err.name, code: err.code ?? '', message: err.message };
  }
}
