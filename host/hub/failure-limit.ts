import { HttpError } from './http-error.js';

/** Most addresses remembered; the oldest is forgotten first. */
const MAX_ADDRESSES = 10_000;

/**
 * Failed attempts (sign-ins, enrolments) per remote address in a sliding
 * window: past `limit` failures in `windowMs`, further attempts from that
 * address are refused with 429 rate-limited and Retry-After until the oldest
 * failure leaves the window. Successes are not counted.
 */
export class FailureLimit {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    /** A monotonic clock in ms (a system clock stepping back must not lift or extend a ban). */
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number of at least 1, got ${limit}`);
  }

  /** Throws 429 while `address` is over its limit. */
  check(address: string): void {
    const recent = this.recent(address);
    if (recent.length < this.limit) return;
    const wait = Math.max(1, Math.ceil((recent[0] + this.windowMs - this.now()) / 1000));
    throw new HttpError(429, 'rate-limited', `too many failed attempts from this address; try again in ${wait} s`, {}, { 'retry-after': String(wait) });
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, recent);
    for (const k of this.failures.keys()) {
      if (this.failures.size <= MAX_ADDRESSES) break;
      this.failures.delete(k);
    }
  }

  private recent(address: string): number[] {
    const from = this.now() - this.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > from);
  }
}
