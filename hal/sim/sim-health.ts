import { checkObject } from '../contracts/check-options.js';
import type { HealthFigures, HealthSource } from '../contracts/health.js';
import type { Clock } from '../contracts/time.js';

/**
 * What a scenario scripts about a simulated board's own condition. Every
 * field is optional: what the scenario does not set reads null, as on a
 * backend that cannot know it.
 */
export interface SimHealthModel {
  /** Free heap at the moment the model was set (bytes). */
  heapBytes?: number;
  /** A slow leak: free heap falls this much per simulated hour from heapBytes. */
  leakBytesPerHour?: number;
  /** The largest free block as a share of the free heap (fragmentation; default 1). */
  largestBlockShare?: number;
  rssi?: number;
  resetReason?: string;
}

/**
 * A simulated board's health figures, from the scripted model and the
 * simulated clock: uptime since the board was made, a heap that leaks at the
 * scripted rate, the lowest heap seen, the signal the scenario sets. The
 * scenario changes the model at any time with set() (the test back door).
 */
export class SimHealth implements HealthSource {
  private model: SimHealthModel = {};
  private since: number;
  private minHeap: number | null = null;
  private readonly bootMs: number;

  constructor(private readonly clock: Pick<Clock, 'now'>) {
    this.bootMs = clock.now();
    this.since = this.bootMs;
  }

  /** Replaces the model from now on (the heap leaks from heapBytes at this moment). */
  set(model: SimHealthModel): void {
    checkObject('model', model as unknown);
    for (const k of ['heapBytes', 'leakBytesPerHour', 'largestBlockShare', 'rssi'] as const) {
      const v = model[k];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) throw new TypeError(`model.${k} must be a finite number, got ${String(v)}`);
    }
    const share = model.largestBlockShare;
    if (share !== undefined && !(share > 0 && share <= 1)) throw new RangeError(`model.largestBlockShare must be in (0, 1], got ${share}`);
    this.model = { ...model };
    this.since = this.clock.now();
  }

  read(): HealthFigures {
    const m = this.model;
    const now = this.clock.now();
    let free: number | null = null;
    if (m.heapBytes !== undefined) {
      free = Math.max(0, Math.floor(m.heapBytes - ((m.leakBytesPerHour ?? 0) * (now - this.since)) / 3_600_000));
      this.minHeap = this.minHeap === null ? free : Math.min(this.minHeap, free);
    }
    return {
      uptimeMs: Math.floor(now - this.bootMs),
      freeHeap: free,
      largestFreeBlock: free === null ? null : Math.floor(free * (m.largestBlockShare ?? 1)),
      minFreeHeap: free === null ? null : this.minHeap,
      resetReason: m.resetReason ?? null,
      rssi: m.rssi ?? null,
    };
  }
}
