/**
 * Sensor value filters, with the semantics ESPHome users know
 * (https://esphome.io/components/sensor/#sensor-filters): each filter takes
 * one value at a time and gives back zero, one or more values, and a chain
 * passes every output of one filter to the next, in configuration order.
 *
 * Time is injected: `time` is milliseconds on the caller's clock (simulated
 * or real); no filter reads a clock or starts a timer. Filters that act on
 * time alone (heartbeat, timeout) also have `tick(time)`, which the caller
 * calls on its own schedule; anything that fell due at or before that time
 * comes out, stamped with the time it fell due, so the result does not
 * depend on how often the caller ticks. `push(value, time)` first lets out
 * whatever fell due strictly before `time`, then handles the value.
 *
 * NaN is a value like any other at this interface ("sensor unavailable");
 * each filter documents what it does with one.
 */
export interface FilterOutput {
  value: number;
  time: number;
}

export interface Filter {
  /** One input value at `time` (ms); returns what the filter lets out, oldest first. */
  push(value: number, time: number): FilterOutput[];
  /** Lets out what fell due at or before `time` without new input (time-based filters only). */
  tick?(time: number): FilterOutput[];
}
