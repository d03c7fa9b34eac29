/**
 * Time, injected everywhere (ARCHITECTURE: the simulator owns the clock).
 * `delay` blocks: ECMA-419 I/O is synchronous and chips need settle and
 * conversion times (e.g. 8.3 ms for an SHT4x high-repeatability measurement).
 * On a device it sleeps; in the simulator it advances virtual time at once.
 */
export interface Clock {
  /**
   * Milliseconds since the Unix epoch. May carry a fraction (a simulated
   * 8.3 ms conversion is exact); events take whole milliseconds (Math.floor).
   */
  now(): number;
  delay(ms: number): void;
}

export type TimerId = number;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export interface HalTime extends Clock, Timers {}
