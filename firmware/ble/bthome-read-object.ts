import type { SenmlUnit } from '../../hal/drivers/senml-units.js';
import { toHex } from '../codec/text-encodings.js';
import { utf8Decode } from '../codec/utf8.js';
import { BthomeError } from './bthome-error.js';
import { BUTTON_EVENTS, type BthomeKind, type BthomeObjectSpec, COMMAND_OPCODES, DIMMER_EVENTS } from './bthome-objects.js';

/** One decoded BTHome v2 object (bthome.io/format). */
export interface BthomeObject {
  id: number;
  kind: BthomeKind;
  /** A reading name (`temperature`, `motion`, `button`); repeated objects share it, in the order sent. */
  name: string;
  /** Scaled number (measurements, packet id), boolean (binary), event name (`press`, `rotate_left`), text, raw as hex, version `4.2.1.0`. */
  value: number | boolean | string;
  /** SenML unit symbol, where one means exactly the spec's unit (a Reading's unit). */
  unit?: SenmlUnit;
  /** The unit as the spec writes it (`°C`, `lb`, `m3/h`), when it has one. */
  specUnit?: string;
  /** Dimmer rotations and command steps. */
  steps?: number;
  /** The object's value bytes as sent (after the id). */
  raw: Uint8Array;
  /** Where the object's id byte is, counted in the bytes given to the parser. */
  offset: number;
}

/** One object whose id byte is at `at`. */
export function readObject(data: Uint8Array, at: number, end: number, spec: BthomeObjectSpec): BthomeObject {
  const v = at + 1;
  const need = (n: number, what: string) => {
    if (v + n > end) throw new BthomeError('truncated', `object 0x${hex2(spec.id)} (${spec.name}) needs ${n} ${what}, ${end - v} left`, at);
  };
  let size = spec.size;
  if (spec.format === 'text' || spec.format === 'raw') {
    need(1, 'byte for its length');
    size = 1 + data[v];
  } else if (spec.format === 'command') {
    need(2, 'bytes for its length and opcode');
    size = 2 + (data[v] & 0x1f);
  }
  need(size, size === 1 ? 'byte' : 'bytes');
  const raw = data.slice(v, v + size);
  const obj: BthomeObject = { id: spec.id, kind: spec.kind, name: spec.name, value: 0, raw, offset: at };
  if (spec.unit !== undefined) obj.unit = spec.unit;
  if (spec.specUnit !== undefined) obj.specUnit = spec.specUnit;
  switch (spec.format) {
    case 'number':
      obj.value = (readInt(raw, 0, size, spec.signed) * spec.mul) / spec.div;
      break;
    case 'bool':
      obj.value = raw[0] !== 0;
      break;
    case 'button':
      obj.value = eventName(BUTTON_EVENTS, raw[0], spec, at);
      break;
    case 'dimmer':
      obj.value = eventName(DIMMER_EVENTS, raw[0], spec, at);
      obj.steps = raw[1];
      break;
    case 'command':
      obj.value = COMMAND_OPCODES[raw[1]] ?? `opcode_0x${hex2(raw[1])}`;
      if ((raw[1] === 0x03 || raw[1] === 0x04) && raw.length > 2) obj.steps = raw[2];
      break;
    case 'text':
      try {
        obj.value = utf8Decode(raw, 1, raw.length);
      } catch {
        throw new BthomeError('bad-text', `object 0x53 (text) is not valid UTF-8`, at);
      }
      break;
    case 'raw':
      obj.value = toHex(raw.subarray(1));
      break;
    case 'version':
      obj.value = Array.from(raw).reverse().join('.');
      break;
  }
  return obj;
}

function eventName(table: Record<number, string>, event: number, spec: BthomeObjectSpec, at: number): string {
  const name = table[event];
  if (name === undefined) throw new BthomeError('unknown-event', `object 0x${hex2(spec.id)} (${spec.name}) has no event 0x${hex2(event)}`, at);
  return name;
}

/** A little-endian integer of 1–4 bytes. */
function readInt(b: Uint8Array, at: number, size: number, signed: boolean): number {
  let n = 0;
  for (let i = size - 1; i >= 0; i--) n = n * 256 + b[at + i];
  return signed && n >= 2 ** (8 * size - 1) ? n - 2 ** (8 * size) : n;
}

export function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}
