/** Most (address, kind) pairs remembered; the oldest is forgotten first. */
const MAX_KEYS = 10_000;

interface Period {
  start: number;
  /** Refusals in this period not logged (the first one is). */
  quiet: number;
}

/**
 * Refusals of one kind from one address are logged once per period, not
 * once each: a flood of slow or abusive connections must not become a flood
 * of log lines. The first line of a new period says how many the last
 * one held back. Records never carry a credential: callers pass the kind,
 * the address and a message of their own.
 */
export class RefusalLog {
  private readonly periods = new Map<string, Period>();

  constructor(
    private readonly log: (record: Record<string, unknown>) => void,
    private readonly periodMs: number,
    private readonly now: () => number,
  ) {}

  /** Notes one refusal of `error` to `from`; logs it unless one was logged within the period. */
  note(error: string, from: string | undefined, record: Record<string, unknown>): void {
    const key = `${error} ${from ?? 'unknown'}`;
    const t = this.now();
    const p = this.periods.get(key);
    if (p && t - p.start < this.periodMs) {
      p.quiet++;
      return;
    }
    this.periods.delete(key);
    this.periods.set(key, { start: t, quiet: 0 });
    for (const k of this.periods.keys()) {
      if (this.periods.size <= MAX_KEYS) break;
      this.periods.delete(k);
    }
    this.log({ level: 'warn', code: 'refused', error, from, ...record, ...(p?.quiet ? { alsoRefused: p.quiet } : {}) });
  }
}
