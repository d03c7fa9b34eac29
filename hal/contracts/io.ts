/**
 * The IO contracts, in the shape of ECMA-419 (embedded:io/*): an options
 * object in, synchronous methods, close() releases (twice is harmless), use
 * after close throws IoError('closed'), bad options throw TypeError/RangeError
 * naming the option. Runtime faults (NACK, stuck bus) throw IoError.
 */

import type { BatterySource } from './battery.js';
import type { HealthSource } from './health.js';

export type DigitalMode = 'input' | 'input-pullup' | 'input-pulldown' | 'output' | 'output-opendrain';
export type Edge = 'rising' | 'falling' | 'both';

export interface DigitalOptions {
  pin: number;
  mode: DigitalMode;
  /** Inputs: which edges call onReadable. */
  edge?: Edge;
  /** Called after an edge; read() gives the new level. */
  onReadable?: () => void;
  /** Accept a strapping pin (see hal/board/pin-rules.ts). */
  allowStrapping?: boolean;
}

export interface Digital {
  read(): 0 | 1;
  write(value: 0 | 1): void;
  close(): void;
}

export interface I2cOptions {
  /** SDA and SCL pins; omit both for the board's default bus. */
  data?: number;
  clock?: number;
  /** 7-bit address. */
  address: number;
  /** Bus speed (default 100 kHz). */
  hz?: number;
}

/** One device on an I2C bus. `stop: false` leaves the bus held for a repeated start. */
export interface I2C {
  readonly address: number;
  read(count: number, stop?: boolean): Uint8Array;
  write(bytes: Uint8Array, stop?: boolean): void;
  /** Write then read with a repeated start between (one transaction). */
  writeRead(bytes: Uint8Array, count: number): Uint8Array;
  close(): void;
}

export interface PwmOptions {
  pin: number;
  /** Frequency in Hz. */
  hz: number;
  /** Duty resolution in bits (default 10): write() takes 0 .. 2^resolution − 1. */
  resolution?: number;
  allowStrapping?: boolean;
}

export interface PWM {
  readonly hz: number;
  readonly resolution: number;
  write(duty: number): void;
  close(): void;
}

export interface AudioFormat {
  sampleRate: number;
  channels: 1 | 2;
  /** Signed 16-bit little-endian PCM only. */
  bitsPerSample: 16;
}

export interface AudioOutOptions extends AudioFormat {
  device?: string;
}

export interface AudioOut {
  readonly format: AudioFormat;
  /** Queues interleaved samples for playback. */
  write(samples: Int16Array): void;
  /** Resolves when everything written has been played. */
  drain(): Promise<void>;
  close(): void;
}

export interface AudioInOptions extends AudioFormat {
  device?: string;
  /** Called with each captured block of interleaved samples. */
  onSamples: (samples: Int16Array) => void;
}

export interface AudioIn {
  readonly format: AudioFormat;
  start(): void;
  stop(): void;
  close(): void;
}

export interface Advertisement {
  /** "AA:BB:CC:DD:EE:FF". */
  address: string;
  rssi: number;
  name?: string;
  /** Manufacturer data by company id (16-bit), service data by UUID. */
  manufacturerData?: Record<number, Uint8Array>;
  serviceData?: Record<string, Uint8Array>;
}

export interface BleScannerOptions {
  onAdvertisement: (adv: Advertisement) => void;
  /** Report repeats of the same device (default true). */
  duplicates?: boolean;
}

export interface BleScanner {
  start(): void;
  stop(): void;
  close(): void;
}

export interface UdpOptions {
  /** Local port to bind (0 or absent: any free port). */
  port?: number;
  /** IPv4 multicast group to join on every interface (e.g. SSDP's 239.255.255.250). */
  multicast?: string;
  /** Share the port with other sockets (needed for 1900, which several programs listen on). */
  reuseAddr?: boolean;
  /** Called when a datagram is waiting; read() takes it. */
  onReadable?: () => void;
}

export interface Datagram {
  bytes: Uint8Array;
  /** The sender's IPv4 address and port. */
  address: string;
  port: number;
}

/** A UDP socket (embedded:io/socket/udp): datagrams in through read(), out through write(). */
export interface UDP {
  readonly port: number;
  /** The next received datagram, or undefined when none waits. */
  read(): Datagram | undefined;
  write(bytes: Uint8Array, address: string, port: number): void;
  close(): void;
}

/** One backend's constructors, bound to a board's pin claims. */
export interface HalBackend {
  readonly name: 'sim' | 'linux' | 'moddable';
  digital(options: DigitalOptions): Digital;
  i2c(options: I2cOptions): I2C;
  pwm(options: PwmOptions): PWM;
  audioOut(options: AudioOutOptions): AudioOut;
  audioIn(options: AudioInOptions): AudioIn;
  bleScanner(options: BleScannerOptions): BleScanner;
  /** A socket on the board's network (IoError 'unsupported' where there is none). */
  udp(options: UdpOptions): UDP;
  /** The board's own figures (heap, uptime, signal); absent where the backend has none, and then every figure is null. */
  health?(): HealthSource;
  /** The board's battery, where the board declares one it can measure (boards/*.json `battery`); absent otherwise. */
  battery?(): BatterySource;
}
