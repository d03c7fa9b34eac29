import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import { SleepCycle, type WakeSummary } from '../../firmware/node/sleep-cycle.js';
import { type Transport, type UplinkResult, uplinkReply } from '../../firmware/uplink/transport.js';
import type { Board } from '../../hal/board/board.js';
import { memoryPreferences, type Preferences } from '../../hal/contracts/preferences.js';
import type { WakeCause } from '../../hal/contracts/sleep.js';
import { SimSleep } from '../../hal/sim/sim-sleep.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import type { BatteryModel } from '../models/battery-model.js';
import { SimBoard } from '../world/sim-board.js';
import { sleepWorld } from './sleep-world.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import type { UplinkSender } from '../xs/bridge-host.js';

export interface SleepingNodeOptions {
  name: string;
  board: Board;
  clock: VirtualClock;
  /** The node configuration in its JSON form, with power.mode "deep-sleep". */
  config: JsonValue;
  uplink: UplinkSender;
  wire: (board: SimBoard) => void;
  /** A draining battery behind the board's battery pin. */
  battery?: BatteryModel;
  /** Current drawn awake, Wi-Fi on (default 120 mA), and asleep (default 0.15 mA: an ESP32's 10 µA plus a dev board's regulator). */
  awakeMa?: number;
  asleepMa?: number;
  /** Awake time the simulator does not see: joining Wi-Fi and DHCP before the firmware can send (default 1500 ms). */
  joinMs?: number;
}

export interface WakeResult {
  cause: WakeCause;
  summary: WakeSummary;
  /** What the node recorded in this wake. */
  events: EventEntry[];
  /** Timers of the node still pending when it went to sleep (a sleeping ESP32 runs none). */
  timersLeft: number;
  /** Simulated ms slept, and why it woke next. */
  sleptMs: number;
  next: WakeCause;
}

/**
 * A battery node in deep-sleep mode in the simulator. Each wake builds the
 * firmware afresh (SleepCycle over a new NodeApp: RAM is gone after a deep
 * sleep) on the same board, world and Preferences; when it asks to sleep the
 * simulator drops it, moves the simulated clock to the wake time (or to the
 * wake pin's rising edge) at once, and boots it again. Sleeping costs no
 * wall-clock time and runs none of the node's timers. The Node runtime runs
 * the firmware here (the XS runner keeps an always-on node).
 */
export class SleepingNode {
  readonly sim: SimBoard;
  readonly prefs: Preferences = memoryPreferences();
  readonly sleep = new SimSleep('power-on');
  private inFlight: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly o: SleepingNodeOptions) {
    validateOnHost('nodeConfig', o.config);
    this.sim = new SimBoard(o.name, o.board, o.clock, { battery: o.battery });
    o.wire(this.sim);
  }

  /** Boots the node, runs the wake to its sleep, and sleeps. */
  async wake(): Promise<WakeResult> {
    const clock = this.o.clock;
    const cause = this.sleep.wakeCause();
    const events: EventEntry[] = [];
    const transport: Transport = {
      send: (body: Uint8Array, done: (r: UplinkResult) => void) => {
        this.pending++;
        const p = this.o.uplink(Buffer.from(body).toString('hex')).then((r) => {
          this.pending--;
          done(uplinkReply(r));
        });
        this.inFlight = Promise.all([this.inFlight, p]);
      },
    };
    const wokeAt = clock.now();
    const cycle = new SleepCycle({
      config: nodeConfigFromJson(this.o.config),
      backend: this.sim.backend,
      time: clock,
      crypto: nodeCrypto,
      transport,
      sleep: this.sleep,
      prefs: this.prefs,
      onEvent: (e) => void events.push(e),
      entropy: (n) => new Uint8Array(randomBytes(n)),
    });
    cycle.run();
    for (let turns = 0; !this.sleep.requested; turns++) {
      if (turns > 100_000) throw new Error(`${this.o.name}: the wake never went to sleep`);
      if (this.pending > 0) {
        await this.inFlight;
        continue;
      }
      const due = clock.nextDue();
      if (due === undefined) throw new Error(`${this.o.name}: awake with nothing to do and no sleep asked for`);
      clock.runUntil(Math.max(due, clock.now()));
    }
    const asked = this.sleep.requested;
    // Turns due at this instant finish (they find the node stopped); what is left would run during the sleep.
    clock.runUntil(clock.now());
    const timersLeft = clock.pending;
    this.o.battery?.draw(this.o.awakeMa ?? 120, clock.now() - wokeAt + (this.o.joinMs ?? 1500));
    const { sleptMs, next } = sleepWorld(clock, this.sim.pins, asked.ms, asked.wakePin);
    this.o.battery?.draw(this.o.asleepMa ?? 0.15, sleptMs);
    this.sleep.boot(next);
    return { cause, summary: cycle.lastSummary as WakeSummary, events, timersLeft, sleptMs, next };
  }
}
