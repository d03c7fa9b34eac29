import type { HalTime } from '../../hal/contracts/time.js';

export interface DownlinkPollerOptions {
  time: HalTime;
  /** The longest a node goes without an exchange with its hub (node config uplink.downlinkPollMs). */
  pollMs: number;
  /** A batch is in flight: its acknowledgement will carry the commands. */
  busy: () => boolean;
  /** Entries wait in the buffer. */
  pending: () => boolean;
  /** Sends the buffer now rather than after batchSize or maxDelayMs. */
  flush: () => void;
  /** Sends a signed poll; `done` when it is answered or failed. */
  poll: (done: () => void) => void;
}

/**
 * Bounds the delay to act: whenever pollMs pass without an exchange with the
 * hub (every acknowledgement counts: touch()), the node asks. If entries
 * wait, it sends them now (the batch's acknowledgement carries the commands);
 * if it has nothing to send, it polls. Timers are the injected ones.
 */
export class DownlinkPoller {
  private timer: number | undefined;
  private polling = false;
  private stopped = true;
  readonly stats = { polls: 0, flushes: 0 };

  constructor(private readonly o: DownlinkPollerOptions) {
    if (!(Number.isInteger(o.pollMs) && o.pollMs > 0)) throw new RangeError(`pollMs must be a whole number of ms > 0, got ${o.pollMs}`);
  }

  start(): void {
    this.stopped = false;
    this.touch();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An exchange with the hub just ended: the next poll is pollMs from now. */
  touch(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.o.time.clearTimeout(this.timer);
    this.timer = this.o.time.setTimeout(() => this.due(), this.o.pollMs);
  }

  private due(): void {
    this.timer = undefined;
    if (this.stopped || this.polling) return;
    // Whatever happens next ends in an exchange that touches; until then, ask again after pollMs.
    this.touch();
    if (this.o.busy()) return;
    if (this.o.pending()) {
      this.stats.flushes++;
      this.o.flush();
      return;
    }
    this.polling = true;
    this.stats.polls++;
    this.o.poll(() => {
      this.polling = false;
      this.touch();
    });
  }
}
