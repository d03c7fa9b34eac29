import type { HealthSource } from '../contracts/health.js';
import type { UDP, UdpOptions } from '../contracts/io.js';

/**
 * What the sim backend needs from the simulator: the far side of buses and
 * pins. sim/ implements these (SimI2cBus, SimPins, …); hal/sim depends only on
 * the shapes, so production code never imports sim/.
 */
export interface SimI2cPort {
  write(address: number, bytes: Uint8Array): void;
  read(address: number, count: number): Uint8Array;
}

export interface SimPinPort {
  /** The level the outside world drives onto an input (null: floating). */
  level(gpio: number): 0 | 1 | null;
  /** The level the board drives (an output), for models such as LEDs and relays. */
  drive(gpio: number, level: 0 | 1): void;
  /** Called when the outside level of `gpio` changes (null: the line floats). Returns an unsubscribe function. */
  watch(gpio: number, onChange: (level: 0 | 1 | null) => void): () => void;
  pwm(gpio: number, hz: number, duty: number): void;
}

export interface SimAudioPort {
  play(samples: Int16Array, sampleRate: number, channels: number): void;
  listen(sampleRate: number, channels: number, onSamples: (s: Int16Array) => void): () => void;
}

export interface SimBleAirPort {
  scan(onAdvertisement: (adv: import('../contracts/io.js').Advertisement) => void): () => void;
}

/**
 * The board's network: opens a UDP socket on it. A simulated board's network
 * is real (the simulator's own: loopback in tests, a network namespace in
 * the LAN tests); sim/world/sim-board.ts plugs in hal/linux/linux-udp.ts.
 */
export type SimUdpPort = (options: UdpOptions) => UDP;

export interface SimWorldPorts {
  /** The bus wired to these pins (the board's bus id where they form one). */
  i2c(sda: number, scl: number): SimI2cPort;
  pins: SimPinPort;
  audio?: SimAudioPort;
  ble?: SimBleAirPort;
  /** Absent: the board has no network. */
  udp?: SimUdpPort;
  /** The board's own figures (heap, signal) as the scenario scripts them; absent, every figure is null. */
  health?: HealthSource;
  /** The voltage at the battery's ADC pin (after the divider), where the board declares a battery and the simulator models one. */
  batteryPin?: SimAnalogPort;
}

/** An analog level the simulator drives onto an ADC pin, in volts. */
export interface SimAnalogPort {
  volts(): number;
}
