import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { Timers } from '../../hal/contracts/time.js';
import type { Cartridge } from '../store/cartridge.js';
import { RetentionPass } from '../store/retention-pass.js';
import type { HubLog } from './hub-log.js';
import type { OpRecord } from './op-log.js';

/** What `fazt hub --retain-raw` asks for (HubOptions.retention). */
export interface RetentionPolicy {
  /** Raw readings are kept this long (their rollups for ever). */
  keepMs: number;
  /** A pass runs this often (default 1 hour), the first one this long after the start (default 1 minute). */
  everyMs?: number;
  firstAfterMs?: number;
  /** Rows a range (one transaction) aims at (default 1024). */
  maxRows?: number;
}

export interface RetentionScheduleOptions extends RetentionPolicy {
  cartridge: Cartridge;
  hubLog: HubLog;
  crypto: CryptoProvider;
  clock: () => number;
  timers: Timers;
  log: (record: OpRecord) => void;
}

/** What one pass pruned. */
export interface RetentionRun {
  ranges: number;
  rows: number;
}

/**
 * Runs a retention pass (host/store/retention-pass.ts) every `everyMs`:
 * one range a step, each its own short transaction, the event loop let go
 * between steps so uplinks are stored in between (ingest waits for one
 * step at most, never for a pass). A pass that pruned anything is a line
 * in the hub's log; each range is already a signed event on its chain. A
 * failed pass is logged and the next is tried at its time.
 */
export class RetentionSchedule {
  private timer: number | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(private readonly o: RetentionScheduleOptions) {
    checkRetentionPolicy(o);
  }

  start(): void {
    this.plan(this.o.firstAfterMs ?? 60_000);
  }

  /** Stops the timer; a pass under way ends after its current step. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One whole pass now, step by step. */
  async runPass(): Promise<RetentionRun> {
    const { cartridge, hubLog, crypto, keepMs, maxRows, clock } = this.o;
    const pass = new RetentionPass({ cartridge, hubLog, crypto, keepMs, maxRows, clock });
    const run: RetentionRun = { ranges: 0, rows: 0 };
    for (let s = pass.step(); s && !this.stopping; s = pass.step()) {
      run.ranges++;
      run.rows += s.count;
      await new Promise<void>((next) => setImmediate(next));
    }
    if (run.ranges > 0) this.o.log({ code: 'retention', ranges: run.ranges, rows: run.rows, keepMs });
    return run;
  }

  private plan(ms: number): void {
    this.timer = this.o.timers.setTimeout(() => {
      this.plan(this.o.everyMs ?? 3_600_000);
      if (this.running !== undefined) return;
      this.running = this.runPass()
        .catch((e: unknown) => this.o.log({ level: 'error', code: 'retention-failed', message: (e as Error)?.message ?? String(e) }))
        .finally(() => {
          this.running = undefined;
        });
    }, ms);
  }
}

/** Refuses a policy that cannot work (the hub checks before it starts anything). */
export function checkRetentionPolicy(p: RetentionPolicy): void {
  if (!(Number.isSafeInteger(p.keepMs) && p.keepMs >= 3_600_000)) throw new RangeError(`retention.keepMs must be at least an hour, got ${p.keepMs}`);
  for (const k of ['everyMs', 'firstAfterMs', 'maxRows'] as const) {
    const v = p[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`retention.${k} must be a whole number ≥ 1, got ${v}`);
  }
}
