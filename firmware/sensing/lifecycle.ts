/**
 * The one lifecycle every sensor goes through (ARCHITECTURE "learn one
 * sensor, know all"):
 *
 *   starting ──ok──▶ running ◀──ok── degraded
 *      │               │  └─fault─────▲  │
 *      │               └──── faults ≥ unplugAfter ───┐
 *      └─no answer──▶ unplugged ◀────────────────────┘
 *                        │  ▲
 *              backoff ──▼  │ no answer
 *                     reconnecting ──ok──▶ running
 *
 * failed: the driver cannot work with this configuration (a wrong chip at the
 * address, bad options, a programming error): no retries.
 */
export type SensorState = 'starting' | 'running' | 'degraded' | 'failed' | 'unplugged' | 'reconnecting';

export interface StateChange {
  sensor: string;
  from: SensorState;
  to: SensorState;
  /** Why, in a word or two: 'nack', 'crc', 'timeout', 'bus-stuck', 'absent', 'recovered', … */
  reason: string;
  time: number;
}
