/** Tool calls one token may make per minute of the hub's clock (an agent in a loop would otherwise fill the chain). */
export const CALLS_PER_MINUTE = 120;
const WINDOW_MS = 60_000;

/**
 * A fixed one-minute window of tool calls per token: within budget a call
 * runs and is recorded on the hub's chain; over it the call is refused
 * before it runs and is not recorded (it did nothing), and the agent is told
 * when to try again.
 */
export class CallBudget {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: () => number,
    private readonly perMinute = CALLS_PER_MINUTE,
  ) {}

  /** Takes one call from the token's budget; returns the ms to wait when there is none left. */
  take(token: string): number | undefined {
    const now = Math.floor(this.clock());
    let w = this.windows.get(token);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size > 1000) this.windows.clear(); // tokens are few; never grow without bound
      w = { start: now, count: 0 };
      this.windows.set(token, w);
    }
    if (w.count >= this.perMinute) return w.start + WINDOW_MS - now;
    w.count++;
    return undefined;
  }
}
