import type { SenmlUnit } from '../../hal/drivers/senml-units.js';

/**
 * The BTHome v2 object ids as data (bthome.io/format, "Supported data types",
 * the April 2026 table): size in bytes, signedness, scale, units. A value is
 * `raw * mul / div` (division by a power of ten gives the nearest double to
 * the decimal the spec prints, and the same double on every engine).
 *
 * Names are reading names (schemas/reading.schema.json: `^[a-z][a-z0-9_.-]*`),
 * the spec's property in snake case. Where a binary sensor shares its
 * property with a measurement (power, gas, battery, moisture) the binary one
 * says what it means (power_on, gas_detected, battery_low, wet), so one
 * device's readings never mix the two.
 */
export type BthomeKind = 'measurement' | 'binary' | 'event' | 'device';

/** How an object's value bytes read. */
type BthomeFormat =
  | 'number' // fixed-size little-endian integer, scaled
  | 'bool' // one byte, 0 or 1
  | 'button' // one byte event id
  | 'dimmer' // event id + steps
  | 'command' // length byte (low 5 bits = argument length), opcode, arguments
  | 'text' // length byte + UTF-8
  | 'raw' // length byte + bytes (reported as hex)
  | 'version'; // firmware version, 3 or 4 bytes, most significant last

export interface BthomeObjectSpec {
  id: number;
  kind: BthomeKind;
  name: string;
  format: BthomeFormat;
  /** Bytes after the id; 0 for the formats that carry their own length. */
  size: number;
  signed: boolean;
  mul: number;
  div: number;
  /** The SenML symbol (hal/drivers/senml-units.ts), where one means exactly the spec's unit. */
  unit?: SenmlUnit;
  /** The unit as the spec writes it, when it has one. */
  specUnit?: string;
}

function m(id: number, name: string, size: number, signed: boolean, div: number, unit?: SenmlUnit, specUnit?: string): BthomeObjectSpec {
  return { id, kind: 'measurement', name, format: 'number', size, signed, mul: 1, div, unit, specUnit: specUnit ?? unit };
}
function b(id: number, name: string): BthomeObjectSpec {
  return { id, kind: 'binary', name, format: 'bool', size: 1, signed: false, mul: 1, div: 1 };
}
function special(id: number, kind: BthomeKind, name: string, format: BthomeFormat, size: number): BthomeObjectSpec {
  return { id, kind, name, format, size, signed: false, mul: 1, div: 1 };
}

const SPECS: BthomeObjectSpec[] = [
  special(0x00, 'device', 'packet_id', 'number', 1),
  m(0x01, 'battery', 1, false, 1, '%EL', '%'),
  m(0x02, 'temperature', 2, true, 100, 'Cel', '°C'),
  m(0x03, 'humidity', 2, false, 100, '%RH', '%'),
  m(0x04, 'pressure', 3, false, 100, 'hPa'),
  m(0x05, 'illuminance', 3, false, 100, 'lx'),
  m(0x06, 'mass', 2, false, 100, 'kg'),
  m(0x07, 'mass', 2, false, 100, undefined, 'lb'),
  m(0x08, 'dew_point', 2, true, 100, 'Cel', '°C'),
  m(0x09, 'count', 1, false, 1),
  m(0x0a, 'energy', 3, false, 1000, 'kWh'),
  m(0x0b, 'power', 3, false, 100, 'W'),
  m(0x0c, 'voltage', 2, false, 1000, 'V'),
  m(0x0d, 'pm2_5', 2, false, 1, 'ug/m3'),
  m(0x0e, 'pm10', 2, false, 1, 'ug/m3'),
  b(0x0f, 'generic'),
  b(0x10, 'power_on'),
  b(0x11, 'opening'),
  m(0x12, 'co2', 2, false, 1, 'ppm'),
  m(0x13, 'tvoc', 2, false, 1, 'ug/m3'),
  m(0x14, 'moisture', 2, false, 100, '%'),
  b(0x15, 'battery_low'),
  b(0x16, 'battery_charging'),
  b(0x17, 'carbon_monoxide'),
  b(0x18, 'cold'),
  b(0x19, 'connectivity'),
  b(0x1a, 'door'),
  b(0x1b, 'garage_door'),
  b(0x1c, 'gas_detected'),
  b(0x1d, 'heat'),
  b(0x1e, 'light'),
  b(0x1f, 'lock'),
  b(0x20, 'wet'),
  b(0x21, 'motion'),
  b(0x22, 'moving'),
  b(0x23, 'occupancy'),
  b(0x24, 'plug'),
  b(0x25, 'presence'),
  b(0x26, 'problem'),
  b(0x27, 'running'),
  b(0x28, 'safety'),
  b(0x29, 'smoke'),
  b(0x2a, 'sound'),
  b(0x2b, 'tamper'),
  b(0x2c, 'vibration'),
  b(0x2d, 'window'),
  m(0x2e, 'humidity', 1, false, 1, '%RH', '%'),
  m(0x2f, 'moisture', 1, false, 1, '%'),
  special(0x3a, 'event', 'button', 'button', 1),
  special(0x3b, 'event', 'command', 'command', 0),
  special(0x3c, 'event', 'dimmer', 'dimmer', 2),
  m(0x3d, 'count', 2, false, 1),
  m(0x3e, 'count', 4, false, 1),
  m(0x3f, 'rotation', 2, true, 10, 'deg', '°'),
  m(0x40, 'distance', 2, false, 1, 'mm'),
  m(0x41, 'distance', 2, false, 10, 'm'),
  m(0x42, 'duration', 3, false, 1000, 's'),
  m(0x43, 'current', 2, false, 1000, 'A'),
  m(0x44, 'speed', 2, false, 100, 'm/s'),
  m(0x45, 'temperature', 2, true, 10, 'Cel', '°C'),
  m(0x46, 'uv_index', 1, false, 10),
  m(0x47, 'volume', 2, false, 10, 'l', 'L'),
  m(0x48, 'volume', 2, false, 1, undefined, 'mL'),
  m(0x49, 'volume_flow_rate', 2, false, 1000, undefined, 'm3/h'),
  m(0x4a, 'voltage', 2, false, 10, 'V'),
  m(0x4b, 'gas', 3, false, 1000, 'm3'),
  m(0x4c, 'gas', 4, false, 1000, 'm3'),
  m(0x4d, 'energy', 4, false, 1000, 'kWh'),
  m(0x4e, 'volume', 4, false, 1000, 'l', 'L'),
  m(0x4f, 'water', 4, false, 1000, 'l', 'L'),
  m(0x50, 'timestamp', 4, false, 1), // seconds since 1970-01-01 UTC
  m(0x51, 'acceleration', 2, false, 1000, 'm/s2', 'm/s²'),
  m(0x52, 'gyroscope', 2, false, 1000, undefined, '°/s'),
  special(0x53, 'measurement', 'text', 'text', 0),
  special(0x54, 'measurement', 'raw', 'raw', 0),
  m(0x55, 'volume_storage', 4, false, 1000, 'l', 'L'),
  m(0x56, 'conductivity', 2, false, 1, undefined, 'µS/cm'),
  m(0x57, 'temperature', 1, true, 1, 'Cel', '°C'),
  { ...m(0x58, 'temperature', 1, true, 100, 'Cel', '°C'), mul: 35 },
  m(0x59, 'count', 1, true, 1),
  m(0x5a, 'count', 2, true, 1),
  m(0x5b, 'count', 4, true, 1),
  m(0x5c, 'power', 4, true, 100, 'W'),
  m(0x5d, 'current', 2, true, 1000, 'A'),
  m(0x5e, 'direction', 2, false, 100, 'deg', '°'),
  m(0x5f, 'precipitation', 2, false, 10, 'mm'),
  m(0x60, 'channel', 1, false, 1),
  m(0x61, 'rotational_speed', 2, false, 1, '1/min', 'rpm'),
  m(0x62, 'speed', 4, true, 1_000_000, 'm/s'),
  m(0x63, 'acceleration', 4, true, 1_000_000, 'm/s2', 'm/s²'),
  m(0x64, 'light_level', 1, false, 1),
  m(0x65, 'settings_revision', 1, false, 1),
  special(0xf0, 'device', 'device_type_id', 'number', 2),
  special(0xf1, 'device', 'firmware_version', 'version', 4),
  special(0xf2, 'device', 'firmware_version', 'version', 3),
];

const BY_ID: (BthomeObjectSpec | undefined)[] = [];
for (const s of SPECS) BY_ID[s.id] = s;

/** The spec of object `id`, or undefined when BTHome v2 defines no such object. */
export function bthomeObjectSpec(id: number): BthomeObjectSpec | undefined {
  return BY_ID[id];
}

/** Every object the specification defines, in id order. */
export function bthomeObjectSpecs(): readonly BthomeObjectSpec[] {
  return SPECS;
}

/** Button events (object 0x3A) by event id. */
export const BUTTON_EVENTS: Record<number, string> = {
  0x00: 'none',
  0x01: 'press',
  0x02: 'double_press',
  0x03: 'triple_press',
  0x04: 'long_press',
  0x05: 'long_double_press',
  0x06: 'long_triple_press',
  0x80: 'hold_press',
};

/** Dimmer events (object 0x3C) by event id; the byte after is the number of steps. */
export const DIMMER_EVENTS: Record<number, string> = { 0x00: 'none', 0x01: 'rotate_left', 0x02: 'rotate_right' };

/** Command opcodes (object 0x3B) the spec names; others are manufacturer-specific and read as `opcode_0xNN`. */
export const COMMAND_OPCODES: Record<number, string> = { 0x00: 'off', 0x01: 'on', 0x02: 'toggle', 0x03: 'step_up', 0x04: 'step_down' };
