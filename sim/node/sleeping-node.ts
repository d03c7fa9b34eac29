import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { nodeConfigFromJson } from '../../firmware/node/node-config.js';
import { SleepCycle, type WakeSummary } from '../../firmware/node/sleep-cycle.js';
import { chunkReply, type Transport, uplinkReply } from '../../firmware/uplink/transport.js';
import type { Board } from '../../hal/board/board.js';
import { memoryPreferences, type Preferences } from '../../hal/contracts/preferences.js';
import type { WakeCause } from '../../hal/contracts/sleep.js';
import { SimSleep } from '../../hal/sim/sim-sleep.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import type { BatteryModel } from '../models/battery-model.js';
import { poweredOta } from '../ota/ota-node.js';
import type { OtaSlots } from '../ota/ota-slots.js';
import { readSimImage } from '../ota/sim-image.js';
import { SimBoard } from '../world/sim-board.js';
import { sleepWorld } from './sleep-world.js';
import type { VirtualClock } from '../world/virtual-clock.js';
import type { UplinkSender } from '../xs/bridge-host.js';
import type { HttpReply } from '../../hal/contracts/http.js';

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
  /** Two OTA slots (the flash, sim/ota/ota-slots.ts) and the chunk fetch: every wake is a reset the bootloader model sees. */
  ota?: { slots: OtaSlots; chunk: UplinkSender };
}

export interface WakeResult {
  cause: WakeCause;
  summary: WakeSummary;
  /** What the node recorded in this wake. */
  events: EventEntry[];
  /** Timers of the node still pending when it went to sleep (a sleeping ESP32 runs none). */
  timersLeft: number;
  /** The image version this wake ran (with ota). */
  version?: string;
  /** Simulated ms slept (0 after the updater's reboot), and why it woke next. */
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
  /** With ota: the version each wake booted, in order. */
  readonly booted: string[] = [];
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
    const wake = { on: true };
    // An answer that lands after the wake ended reaches no firmware (RAM is gone).
    const exchange =
      <R>(sender: UplinkSender, as: (r: HttpReply) => R) =>
      (body: Uint8Array, done: (r: R) => void) => {
        this.pending++;
        const p = sender(Buffer.from(body).toString('hex')).then((r) => {
          this.pending--;
          if (wake.on) done(as(r));
        });
        this.inFlight = Promise.all([this.inFlight, p]);
      };
    const transport: Transport = { send: exchange(this.o.uplink, uplinkReply) };
    let restarted = false;
    const ota = this.o.ota && this.bootImage(transport, exchange(this.o.ota.chunk, chunkReply), () => void (restarted = true), wake);
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
      firmware: ota?.firmware,
      ota: ota && { backend: ota.backend, restart: ota.restart },
    });
    cycle.run();
    for (let turns = 0; !this.sleep.requested && !restarted; turns++) {
      if (turns > 100_000) throw new Error(`${this.o.name}: the wake never went to sleep`);
      if (this.pending > 0) {
        await this.inFlight;
        continue;
      }
      const due = clock.nextDue();
      if (due === undefined) throw new Error(`${this.o.name}: awake with nothing to do and no sleep asked for`);
      clock.runUntil(Math.max(due, clock.now()));
    }
    const asked = this.sleep.requested ?? { ms: 0 };
    wake.on = false;
    // Turns due at this instant finish (they find the node stopped); what is left would run during the sleep.
    clock.runUntil(clock.now());
    const timersLeft = clock.pending;
    this.o.battery?.draw(this.o.awakeMa ?? 120, clock.now() - wokeAt + (this.o.joinMs ?? 1500));
    const { sleptMs, next } = restarted ? { sleptMs: 0, next: 'other' as const } : sleepWorld(clock, this.sim.pins, asked.ms, asked.wakePin);
    this.o.battery?.draw(this.o.asleepMa ?? 0.15, sleptMs);
    this.sleep.boot(next);
    const version = ota?.firmware;
    return { cause, summary: cycle.lastSummary as WakeSummary, events, timersLeft, sleptMs, next, ...(version && { version }) };
  }

  /** The bootloader model at this wake's reset: the image it boots, and the OTA backend that boot sees. */
  private bootImage(transport: Transport, chunk: NonNullable<Transport['chunk']>, restart: () => void, power: { on: boolean }) {
    const slots = (this.o.ota as { slots: OtaSlots }).slots;
    const image = readSimImage(slots.reset());
    if (!image?.healthy) throw new Error(`${this.o.name}: the image in the boot slot does not boot (this model wakes only healthy images)`);
    this.booted.push(image.version);
    transport.chunk = chunk;
    return { firmware: image.version, backend: poweredOta(slots, power), restart };
  }
}
