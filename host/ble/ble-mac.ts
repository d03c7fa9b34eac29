/** A Bluetooth device address as the hub keeps it: six hex bytes, upper case, colon-separated ("A4:C1:38:AA:BB:CC"). */
const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/**
 * The address in its one stored form. Accepts colons, dashes or nothing
 * between the bytes, in either case; anything else is a RangeError naming
 * what was given.
 */
export function parseMac(text: string, what = 'mac'): string {
  if (typeof text !== 'string') throw new TypeError(`${what} must be a Bluetooth address such as A4:C1:38:AA:BB:CC`);
  const bare = text.trim().toUpperCase().replace(/[:-]/g, '');
  const mac = bare.match(/^[0-9A-F]{12}$/) ? (bare.match(/../g) as string[]).join(':') : '';
  if (!MAC.test(mac)) throw new RangeError(`${what} '${text}' is not a Bluetooth address (six hex bytes, e.g. A4:C1:38:AA:BB:CC)`);
  return mac;
}

/** The component a device's events carry on the hub's chain: `ble-` and the address in lower case without colons (the envelope's pattern allows it). */
export function bleComponent(mac: string): string {
  return `ble-${mac.replace(/:/g, '').toLowerCase()}`;
}

/** A 16-byte BTHome key from 32 hex digits; a RangeError that never repeats the text (it is a secret). */
export function parseBleKey(hex: string, what = 'key'): Uint8Array {
  const t = typeof hex === 'string' ? hex.trim() : '';
  if (!/^[0-9a-fA-F]{32}$/.test(t)) throw new RangeError(`${what} must be 32 hex digits (a 16-byte BTHome key)`);
  return Uint8Array.from(t.match(/../g) as string[], (b) => Number.parseInt(b, 16));
}

/**
 * The BLE device's component when `source` is one of the hub's own BLE
 * sensors (`<hub id>/ble-<mac>`), else undefined: the one test every
 * consumer of readings (metrics, percepts, Home Assistant, /v1/nodes) uses to
 * take the hub's BLE readings as it takes a node's, and nothing else of the hub's chain.
 */
export function hubBleComponent(source: string, hubId: string): string | undefined {
  if (!source.startsWith(`${hubId}/`)) return undefined;
  const component = source.slice(hubId.length + 1);
  return /^ble-[0-9a-f]{12}$/.test(component) ? component : undefined;
}

/** The address a `ble-<mac>` component stands for, upper case with colons. */
export function macOfComponent(component: string): string {
  return parseMac(component.slice('ble-'.length), 'component');
}
