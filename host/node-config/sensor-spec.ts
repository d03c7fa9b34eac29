import type { SensorConfig } from '../../firmware/sensing/open-sensor.js';
import { AHT20 } from '../../hal/drivers/aht20/registers.js';
import { BH1750 } from '../../hal/drivers/bh1750/registers.js';
import { BME280 } from '../../hal/drivers/bme280/registers.js';
import { BMP280 } from '../../hal/drivers/bmp280/registers.js';
import { DRIVERS } from '../../hal/drivers/registry.js';
import { SHT3X } from '../../hal/drivers/sht3x/registers.js';
import { SHT4X } from '../../hal/drivers/sht4x/registers.js';
import { OUTPUT_DRIVERS } from '../../firmware/uplink/command-action.js';

/** Each I2C chip's address with its address pin in the datasheet's default state (the registers files cite the section). */
const DEFAULT_ADDRESS: Record<string, number> = {
  sht4x: SHT4X.addressA,
  sht3x: SHT3X.addressLow,
  bme280: BME280.addresses[0],
  bmp280: BMP280.addresses[0],
  aht20: AHT20.address,
  bh1750: BH1750.addressLow,
};

/** Names people give outputs, for the driver that drives them. */
const OUTPUT_ALIASES: Record<string, string> = { led: 'digital-output', relay: 'digital-output' };

/** Outputs keep their state between commands: a sample an hour is their heartbeat. */
const OUTPUT_INTERVAL_MS = 3_600_000;

function parseNumber(text: string): number {
  return /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** A GPIO as written after @: 6, GPIO6, IO6. */
function parsePin(text: string, flag: string): number {
  const n = parseNumber(text.replace(/^(gpio|io)/i, ''));
  if (!Number.isInteger(n) || n > 63) throw new RangeError(`${flag}: '${text}' is not a GPIO number`);
  return n;
}

/**
 * `--sensor DRIVER[@WHERE]`: an I2C chip at an address on the board's
 * default bus (sht4x@0x44; without @ the chip's default address), or a pin
 * sensor on a GPIO (pir@6). The sensor is named after its driver (a second
 * one of the same driver gets -2, -3…).
 */
export function sensorFromSpec(spec: string, intervalMs: number, taken: ReadonlySet<string>): SensorConfig {
  const flag = `--sensor ${spec}`;
  const [driver, where, extra] = spec.split('@');
  const entry = DRIVERS[driver];
  if (extra !== undefined || !entry || OUTPUT_DRIVERS[driver])
    throw new RangeError(
      `${flag}: give DRIVER@ADDRESS (I2C) or DRIVER@PIN; sensors are ${Object.keys(DRIVERS)
        .filter((d) => !OUTPUT_DRIVERS[d])
        .join(', ')} (outputs go in --output)`,
    );
  const name = uniqueName(driver, taken);
  if (entry.kind === 'pin') {
    if (!where) throw new RangeError(`${flag}: ${driver} works on a GPIO: write ${driver}@PIN, e.g. ${driver}@6`);
    return { name, driver, pin: parsePin(where, flag), intervalMs };
  }
  const address = where ? parseNumber(where) : DEFAULT_ADDRESS[driver];
  if (!Number.isInteger(address) || address < 0x08 || address > 0x77)
    throw new RangeError(`${flag}: '${where}' is not a 7-bit I2C address (0x08 to 0x77, e.g. ${driver}@0x${(DEFAULT_ADDRESS[driver] ?? 0x44).toString(16)})`);
  return { name, driver, i2c: { address }, intervalMs };
}

/** `--output ID@PIN`: led/relay (a digital output) or buzzer (PWM) on a GPIO, named ID. */
export function outputFromSpec(spec: string, taken: ReadonlySet<string>): SensorConfig {
  const flag = `--output ${spec}`;
  const [id, where, extra] = spec.split('@');
  const driver = OUTPUT_ALIASES[id] ?? id;
  if (extra !== undefined || !OUTPUT_DRIVERS[driver] || !where)
    throw new RangeError(`${flag}: give ID@PIN, ID one of ${[...Object.keys(OUTPUT_ALIASES), ...Object.keys(OUTPUT_DRIVERS)].join(', ')} (e.g. led@21)`);
  return { name: uniqueName(id, taken), driver, pin: parsePin(where, flag), intervalMs: OUTPUT_INTERVAL_MS };
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
