import type { Timers, TimerId } from '../../hal/contracts/time.js';
import type { RefusalCode } from './bthome-verdict.js';

/** One report: this many refusals of `code` from `mac` since the last report of that pair. */
export interface RefusalSummary {
  mac: string;
  code: RefusalCode;
  count: number;
  /** Why the last of them was refused, for the op log. */
  detail: string;
}

interface Pending {
  lastReportAt: number;
  count: number;
  detail: string;
  timer: TimerId | undefined;
}

/**
 * Refusals as a trickle, not a flood: the first of a (device, code) pair is
 * reported at once, later ones are counted and reported at most once per
 * `windowMs` with how many there were. A replaying attacker in range sends
 * as fast as the air allows; the chain gets one event a minute.
 */
export class RefusalReport {
  private readonly pairs = new Map<string, Pending>();

  constructor(private readonly o: { windowMs: number; clock: () => number; timers: Timers; report: (s: RefusalSummary) => void }) {
    if (!(Number.isInteger(o.windowMs) && o.windowMs > 0)) throw new RangeError(`windowMs must be a whole number of ms > 0, got ${o.windowMs}`);
  }

  note(mac: string, code: RefusalCode, detail: string): void {
    const key = `${mac} ${code}`;
    const now = this.o.clock();
    const p = this.pairs.get(key);
    if (!p || now - p.lastReportAt >= this.o.windowMs) {
      if (p?.timer !== undefined) this.o.timers.clearTimeout(p.timer);
      this.pairs.set(key, { lastReportAt: now, count: 0, detail, timer: undefined });
      this.o.report({ mac, code, count: (p?.count ?? 0) + 1, detail });
      return;
    }
    p.count++;
    p.detail = detail;
    p.timer ??= this.o.timers.setTimeout(() => this.flush(key, mac, code), p.lastReportAt + this.o.windowMs - now);
  }

  /** Reports what is counted and not yet reported (at shutdown). */
  flushAll(): void {
    for (const [key, p] of this.pairs) {
      if (p.timer !== undefined) this.o.timers.clearTimeout(p.timer);
      const [mac, code] = key.split(' ') as [string, RefusalCode];
      this.flush(key, mac, code);
    }
    this.pairs.clear();
  }

  private flush(key: string, mac: string, code: RefusalCode): void {
    const p = this.pairs.get(key);
    if (!p) return;
    p.timer = undefined;
    if (p.count === 0) return;
    const count = p.count;
    p.count = 0;
    p.lastReportAt = this.o.clock();
    this.o.report({ mac, code, count, detail: p.detail });
  }
}
