import type { Preferences } from '../../hal/contracts/preferences.js';
import { checkSleep, type Sleep } from '../../hal/contracts/sleep.js';
import type { TimerId } from '../../hal/contracts/time.js';
import { BufferStore, type BufferStoreOptions } from './buffer-store.js';
import { DEFAULT_HEALTH_INTERVAL_MS } from './health-reporter.js';
import { NodeApp, type NodeAppOptions } from './node-app.js';
import { NodeState } from './node-state.js';

export interface SleepCycleOptions extends NodeAppOptions {
  sleep: Sleep;
  /** Where the unsent buffer (and when health was last reported) survive the sleep. */
  prefs: Preferences;
  /** The longest a wake lasts whatever happens (default 20 s): a hub that never answers must not drain the battery. */
  maxAwakeMs?: number;
  bufferStore?: BufferStoreOptions;
}

/** What a wake did, for the log and the simulator. */
export interface WakeSummary {
  restored: number;
  saved: number;
  sleepMs: number;
  reason: 'sent' | 'unreachable' | 'refused' | 'deadline';
}

const STATE_DOMAIN = 'fazt-sleep';
/** Refusals a wake lets the uplink retry (a compact dictionary sent whole, a hub behind) before it gives up. */
const MAX_REFUSALS = 3;

/**
 * One wake of a battery node in deep-sleep mode (config power.mode), like
 * ESPHome's deep_sleep but sleeping as soon as the work is done: boot (the
 * NodeApp, continuing the chain the last wake persisted), restore the unsent
 * buffer, record system.boot, sample every sensor once, send until the
 * buffer is empty or the hub cannot be reached, apply the commands the
 * acknowledgements carry (NodeApp's downlink, whose outcomes are sent in the
 * same wake), store what is left with the chain head after it, and sleep for the
 * rest of the period. system.health goes with the wake that finds
 * health.intervalMs passed since the last one, and with every power-on.
 *
 * Sensors are sampled once per wake, not on their intervalMs (the node is
 * asleep between wakes), and the node does not poll for commands: they
 * reach it in the acknowledgement of each wake's batch.
 */
export class SleepCycle {
  readonly app: NodeApp;
  readonly store: BufferStore;
  private readonly startedAt: number;
  private failures = 0;
  private refusals = 0;
  private done = false;
  private deadline: TimerId | undefined;
  private restored = 0;
  /** Samples asked for and not yet recorded: the wake does not sleep before they are. */
  private sampling = 0;

  constructor(private readonly o: SleepCycleOptions) {
    const p = o.config.power;
    if (!p || p.mode !== 'deep-sleep') throw new TypeError('SleepCycle needs a node configuration with power.mode "deep-sleep"');
    checkSleep(p.wakeEveryMs, p.wakePin);
    this.startedAt = o.time.now();
    this.store = new BufferStore(o.prefs, { log: o.log, ...o.bufferStore });
    const config = { ...o.config, uplink: { ...o.config.uplink, downlinkPollMs: 0 } };
    this.app = new NodeApp({
      ...o,
      // The chain head and the last command seq live there too (firmware/node/node-state.ts).
      preferences: o.prefs,
      config,
      onUplink: (r, b) => {
        if (!r.ok && r.refused) this.refusals++;
        else if (!r.ok) this.failures++;
        o.onUplink?.(r, b);
        this.later();
      },
    });
  }

  /** Runs the wake; it ends in Sleep.deepSleep (and on a device never returns from there). */
  run(): void {
    const { app, o } = this;
    const r = this.store.restore(app.buffer, o.time.now());
    this.restored = r.entries;
    app.start();
    // What was stored but could not be read is declared dropped by the next batch (never a silent gap).
    const first = app.buffer.firstSeq;
    if (r.lost && first !== undefined && r.lost.from < first) app.buffer.rewind(r.lost.from);
    this.healthIfDue();
    for (const s of o.config.sensors)
      if (
        app.sampleNow(s.name, () => {
          this.sampling--;
          this.later();
        })
      )
        this.sampling++;
    this.deadline = o.time.setTimeout(() => {
      this.deadline = undefined;
      this.sleepNow('deadline');
    }, o.maxAwakeMs ?? 20_000);
    this.later();
  }

  /** After the turn in progress (a sample, an answer and the flush it started): decide again. */
  private later(): void {
    if (!this.done) this.o.time.setTimeout(() => this.settle(), 0);
  }

  private settle(): void {
    const { app } = this;
    if (this.done || app.uplink.busy || this.sampling > 0) return;
    if (this.failures > 0) return this.sleepNow('unreachable');
    if (this.refusals >= MAX_REFUSALS) return this.sleepNow('refused');
    if (app.buffer.count === 0) return this.sleepNow('sent');
    app.uplink.flush();
  }

  private healthIfDue(): void {
    const ms = this.o.config.health?.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
    if (ms === 0) return;
    const now = this.o.time.now();
    const last = this.o.prefs.get(STATE_DOMAIN, 'healthAt');
    const due = this.o.sleep.wakeCause() === 'power-on' || typeof last !== 'string' || now - Number(last) >= ms;
    if (!due) return;
    this.app.record('system.health', 'node', this.app.health.figures());
    // A string: NVS integers are 32 bits, epoch milliseconds are not.
    this.o.prefs.set(STATE_DOMAIN, 'healthAt', String(now));
  }

  private sleepNow(reason: WakeSummary['reason']): void {
    if (this.done) return;
    this.done = true;
    const { app, o } = this;
    if (this.deadline !== undefined) o.time.clearTimeout(this.deadline);
    app.stop();
    const saved = this.store.save(app.buffer);
    // Every entry the hub has not acknowledged is in the stored buffer (or declared lost by it), so
    // the next wake continues after the last one recorded with nothing unconfirmed: from = seq + 1.
    const head = app.head;
    if (head.seq >= 1) new NodeState(o.prefs).saveChain({ seq: head.seq, hash: head.hash, from: head.seq + 1 });
    const p = o.config.power as { wakeEveryMs: number; wakePin?: number };
    const sleepMs = Math.max(1, p.wakeEveryMs - Math.ceil(o.time.now() - this.startedAt));
    const summary: WakeSummary = { restored: this.restored, saved: saved.entries, sleepMs, reason };
    o.log?.(`wake done (${reason}): restored ${summary.restored}, kept ${summary.saved} unsent, sleeping ${sleepMs} ms`);
    this.lastSummary = summary;
    o.sleep.deepSleep(sleepMs, p.wakePin);
  }

  /** The wake's summary once it went to sleep. */
  lastSummary: WakeSummary | undefined;
}
