/**
 * The board's own condition, as a node reports it in system.health (issue 12,
 * "Nodes report on themselves"). In the ECMA-419 manner a source is read
 * synchronously and answers plain data; each figure is null where the backend
 * cannot know it (a Linux box has no "largest free block"), never a guess.
 */
export interface HealthFigures {
  /** Milliseconds since the board (or process) started. */
  uptimeMs: number | null;
  /** Bytes of heap free now. */
  freeHeap: number | null;
  /** The largest block that one allocation could get now (fragmentation). */
  largestFreeBlock: number | null;
  /** The lowest freeHeap since boot. */
  minFreeHeap: number | null;
  /** Why the board last started ('power-on', 'watchdog', 'panic', ...), as the platform names it. */
  resetReason: string | null;
  /** Wi-Fi signal strength in dBm. */
  rssi: number | null;
}

export interface HealthSource {
  read(): HealthFigures;
}

/** What a backend without a source reports: nothing known. */
export const UNKNOWN_HEALTH: HealthFigures = Object.freeze({
  uptimeMs: null,
  freeHeap: null,
  largestFreeBlock: null,
  minFreeHeap: null,
  resetReason: null,
  rssi: null,
});
