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
  /**
   * The longest a wake with a firmware download in progress lasts (default 180 s): past
   * maxAwakeMs it keeps the download going, then gives it up as system.ota.refused 'wake-ended'.
   */
  maxOtaAwakeMs?: number;
  bufferStore?: BufferStoreOptions;
}

/** What a wake did, for the log and the simulator. */
export interface WakeSummary {
  restored: number;
  saved: number;
  sleepMs: number;
  /** 'restart': the updater rebooted into a new image (the hub holds system.ota.applied). */
  reason: 'sent' | 'unreachable' | 'refused' | 'deadline' | 'restart';
}

const STATE_DOMAIN = 'fazt-sleep';
/** Refusals a wake lets the uplink retry (a compact dictionary sent whole, a hub behind) before it gives up. */
const MAX_REFUSALS = 3;
const MAX_AWAKE_MS = 20_000;
const MAX_OTA_AWAKE_MS = 180_000;

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
 * A firmware download keeps the wake going past maxAwakeMs, to maxOtaAwakeMs
 * (awakeTooLong); the updater's reboot into a committed image ends the wake
 * as a sleep does, and the new image confirms on the next wake's first
 * verified ack (OtaUpdater.acked), before that wake sleeps.
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
  /** The download was given up at maxOtaAwakeMs: the wake sleeps once that outcome is sent (or not). */
  private ending = false;
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
      // Updater's reboot ends the wake like a sleep: buffer and chain head stored first.
      ota: o.ota && { ...o.ota, restart: () => this.sleepNow('restart') },
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
    this.deadline = o.time.setTimeout(() => this.awakeTooLong(), o.maxAwakeMs ?? MAX_AWAKE_MS);
    this.later();
  }

  /**
   * maxAwakeMs passed. A download in progress goes on (an aborted one is
   * offered again and again, each wake starting over), and the wake then
   * sends its outcome as any other, until maxOtaAwakeMs: a download still
   * going is then given up, and the wake sleeps once the refusal is sent.
   */
  private awakeTooLong(): void {
    const { o, app } = this;
    this.deadline = undefined;
    if (!app.ota?.downloading) return this.sleepNow('deadline');
    const limit = Math.max(o.maxOtaAwakeMs ?? MAX_OTA_AWAKE_MS, o.maxAwakeMs ?? MAX_AWAKE_MS);
    o.log?.('awake past maxAwakeMs: a firmware download is in progress');
    this.deadline = o.time.setTimeout(
      () => {
        this.deadline = undefined;
        this.ending = true;
        app.ota?.abandon('wake-ended', `the wake ended (${limit} ms awake) before the download finished`);
        this.later();
      },
      Math.max(0, this.startedAt + limit - o.time.now()),
    );
  }

  /** After the turn in progress (a sample, an answer and the flush it started): decide again. */
  private later(): void {
    if (!this.done) this.o.time.setTimeout(() => this.settle(), 0);
  }

  private settle(): void {
    const { app } = this;
    if (this.done || app.uplink.busy || this.sampling > 0) return;
    // The download's own outcome (applied, refused) is flushed and brings the wake back here.
    if (app.ota?.downloading) return;
    if (this.ending) return this.sleepNow('deadline');
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
    if (reason === 'restart') o.ota?.restart();
    else o.sleep.deepSleep(sleepMs, p.wakePin);
  }

  /** The wake's summary once it went to sleep. */
  lastSummary: WakeSummary | undefined;
}
