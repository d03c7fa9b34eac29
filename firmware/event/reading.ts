import type { SenmlUnit } from '../../hal/drivers/senml-units.js';
import type { EventClock } from './envelope.js';

/**
 * A reading: the one shape every sensor produces (ARCHITECTURE "learn one
 * sensor, know all"). Names and units follow SenML (RFC 8428 §4.5 and the
 * IANA SenML Units registry, including RFC 8798's additions).
 */
export type Quality = 'good' | 'uncertain' | 'bad';

export interface Reading {
  /** SenML-style measurement name, e.g. "temperature", "humidity", "motion". */
  name: string;
  /** A SenML unit symbol, e.g. "Cel", "%RH", "Pa", "lx"; omitted for booleans and counts. */
  unit?: SenmlUnit;
  value: number | boolean | string;
  quality: Quality;
  /** Milliseconds since the epoch when the sample was taken. */
  time: number;
  /** Why quality is not good: e.g. "crc", "range", "stuck", "spike". */
  flags?: string[];
}

/**
 * A SenML record (RFC 8428 §4): time in seconds, value in v/vb/vs by type.
 * `faztclock` says which clock stamped `t` (the event's `clock`); it does not
 * end in '_', so a receiver that does not know it ignores it (RFC 8428 §4.4).
 */
export interface SenmlRecord {
  bn?: string;
  n: string;
  u?: string;
  v?: number;
  vb?: boolean;
  vs?: string;
  t: number;
  faztclock?: EventClock;
}

/**
 * Readings of one source as a SenML pack; the source becomes the base name.
 * `clock`, the clock their events were stamped by, is written on every record.
 */
export function toSenml(source: string, readings: Reading[], clock?: EventClock): SenmlRecord[] {
  return readings.map((r, i) => {
    const rec: SenmlRecord = { n: r.name, t: r.time / 1000 };
    if (i === 0) rec.bn = `${source}/`;
    if (r.unit !== undefined) rec.u = r.unit;
    if (typeof r.value === 'number') rec.v = r.value;
    else if (typeof r.value === 'boolean') rec.vb = r.value;
    else rec.vs = r.value;
    if (clock !== undefined) rec.faztclock = clock;
    return rec;
  });
}
