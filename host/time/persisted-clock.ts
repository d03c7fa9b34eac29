import type { ClockStateStore } from '../store/clock-state.js';
import { bootId } from './boot-id.js';
import { confidenceAt, HALF_LIFE_MS, MIN_CONFIDENCE, offsetAt, sameBoot } from './clock-estimate.js';

/**
 * The hub's clock for a process that shares its cartridge but not its memory
 * (`fazt invite` while the hub runs): the system clock plus the Timekeeper's
 * persisted offset while that estimate is still trusted, as its now() would give.
 */
export function persistedClock(store: ClockStateStore, system: () => number = Date.now, boot: string | undefined = bootId()): () => number {
  const e = sameBoot(store.load(), boot);
  return () => {
    const local = system();
    return Math.floor(confidenceAt(e, local, HALF_LIFE_MS) >= MIN_CONFIDENCE ? local + offsetAt(e, local) : local);
  };
}
