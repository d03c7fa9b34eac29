import type { BatteryWiring } from '../contracts/battery.js';

/**
 * A board definition (boards/*.json, checked by schemas/board.schema.json).
 * Drivers never see this: they get a bus or a pin that was claimed against it.
 */
type PinCapability = 'digital-in' | 'digital-out' | 'pull-up' | 'pull-down' | 'pwm' | 'adc' | 'dac' | 'touch' | 'deep-sleep-wake';

export interface BoardPin {
  gpio: number;
  label: string;
  header?: string;
  caps: PinCapability[];
  inputOnly?: boolean;
  strapping?: string;
  reserved?: 'flash' | 'psram' | 'id-eeprom';
  adc?: string;
  touch?: string;
  sharedWith?: string;
}

export interface I2cBusDef {
  id: number;
  sda: number;
  scl: number;
  default: boolean;
  device?: string;
  note?: string;
}

interface AudioPath {
  kind: 'dac' | 'i2s' | 'pdm' | 'analog-jack' | 'hdmi' | 'usb' | 'alsa';
  pins?: number[];
  note?: string;
}

export interface Board {
  id: string;
  name: string;
  vendor: string;
  soc: string;
  module?: string;
  runtime: 'moddable' | 'node';
  moddable?: { platform: string };
  /** A battery the board can measure (a divider to an ADC pin); absent on boards without one. */
  battery?: BatteryWiring & { note?: string };
  memory: { ramKiB: number; flashMiB: number; psramMiB: number };
  logicVoltage: number;
  pins: BoardPin[];
  i2c: { routing: 'matrix' | 'fixed'; controllers?: number; buses: I2cBusDef[] };
  pwm: { channels: number; maxFrequencyHz?: number; resolutionBits?: number; note?: string };
  radios: { wifi: false | string; ble: false | string };
  audio: { out: AudioPath[]; in: AudioPath[] };
  gpio: { backend: 'moddable' | 'pigpio' | 'gpiod'; chip?: string };
  sources: string[];
}
