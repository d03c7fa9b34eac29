import type { HealthFigures, HealthSource } from '../contracts/health.js';

/** Moddable's `instrumentation` module (modules/base/instrumentation): counters by index, found by name. */
interface ModdableInstrumentation {
  map(name: string): number | undefined;
  get(index: number): number | undefined;
}

export interface ModdableHealthOptions {
  instrumentation: ModdableInstrumentation;
  /** Wi-Fi signal in dBm (the `net` module's Net.get("RSSI")); undefined while not connected. */
  rssi: () => number | undefined;
  /** Milliseconds since boot (the `time` module's Time.ticks). */
  ticks: () => number;
}

/**
 * A Moddable device's health: free memory from the SDK's instrumentation
 * ("System Free Memory"), the signal from the Wi-Fi station, uptime from
 * the tick count. The largest free block, the heap low-water mark and the
 * reset reason are not offered by these modules, so they are null. Not
 * exercised on hardware here: the tests run it over stand-in objects.
 */
export function moddableHealth(o: ModdableHealthOptions): HealthSource {
  const freeIndex = o.instrumentation.map('System Free Memory');
  const num = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    read(): HealthFigures {
      return {
        uptimeMs: num(o.ticks()),
        freeHeap: freeIndex === undefined ? null : num(o.instrumentation.get(freeIndex)),
        largestFreeBlock: null,
        minFreeHeap: null,
        resetReason: null,
        rssi: num(o.rssi()),
      };
    },
  };
}
