import type { SenmlUnit } from './senml-units.js';

/**
 * The one shape of every sensor driver (Moddable's sensor class pattern):
 * constructor(options) opens and identifies the chip, configure(partial)
 * changes settings, sample() returns plain numbers in physical units, close()
 * releases (twice is harmless). Faults are thrown as IoError: 'nack' (no
 * answer), 'crc' (checksum failed), 'absent' (wrong chip id), 'timeout'
 * (conversion never finished), 'bus-stuck'. The lifecycle, quality flags and
 * filters are the SensorRunner's job, not the driver's.
 */
export interface SensorChannel {
  /** Key in the sample, and the reading's SenML name. */
  name: string;
  unit?: SenmlUnit;
  /** The chip's physical measuring range: values outside it are flagged 'range'. */
  min: number;
  max: number;
  /** The chip's resolution in the channel's unit. */
  resolution: number;
}

export type Sample = Record<string, number | boolean>;

export interface SensorDriver<C extends object = object, S extends Sample = Sample> {
  readonly channels: readonly SensorChannel[];
  configure(options: Partial<C>): void;
  sample(): S;
  close(): void;
}
