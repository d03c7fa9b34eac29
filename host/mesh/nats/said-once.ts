/**
 * What has been said once, remembered for at most `limit` subjects: a
 * refusal repeated page after page is logged the first time only. The
 * subjects come from whoever publishes on the NATS server (any chain name),
 * so the memory is bounded: past the limit the oldest is forgotten, and
 * said again if it comes back.
 */
export class SaidOnce {
  private readonly said = new Set<string>();

  constructor(readonly limit = 4096) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number of at least 1, got ${limit}`);
  }

  get size(): number {
    return this.said.size;
  }

  /** True the first time `subject` is seen (or again once forgotten), false while it is remembered. */
  first(subject: string): boolean {
    if (this.said.has(subject)) return false;
    if (this.said.size >= this.limit) this.said.delete(this.said.values().next().value as string);
    this.said.add(subject);
    return true;
  }
}
